package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * The username a device sends when it connects to DPS:
 * {@code {idScope}/registrations/{registrationId}/api-version=2019-03-31&ClientVersion=…}
 * (no {@code ?} before the parameters, unlike the hub's).
 *
 * @param parameters every parameter in order, decoded, {@code api-version} included
 */
public record DpsUsername(IdScope idScope, RegistrationId registrationId, Map<String, String> parameters)
        implements MqttUsername {
    public static final String API_VERSION = "api-version";
    public static final String DEFAULT_API_VERSION = "2019-03-31";

    public DpsUsername {
        Objects.requireNonNull(idScope, "idScope");
        Objects.requireNonNull(registrationId, "registrationId");
        Objects.requireNonNull(parameters, "parameters");
        if (!parameters.containsKey(API_VERSION)) {
            throw new IllegalArgumentException("parameters: must contain '" + API_VERSION + "'");
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** The username fleetkit's devices send: API version 2019-03-31, ClientVersion the same. */
    public static DpsUsername of(IdScope scope, RegistrationId registrationId) {
        LinkedHashMap<String, String> p = new LinkedHashMap<>();
        p.put(API_VERSION, DEFAULT_API_VERSION);
        p.put("ClientVersion", DEFAULT_API_VERSION);
        return new DpsUsername(scope, registrationId, p);
    }

    public String apiVersion() {
        return parameters.get(API_VERSION);
    }

    @Override
    public String format() {
        StringBuilder sb = new StringBuilder(96).append(idScope.value()).append("/registrations/")
                .append(registrationId.value()).append('/');
        HubUsername.appendParameters(sb, parameters);
        return sb.toString();
    }

    /** Parses a DPS username; see {@link MqttUsername#parse(String)} for either dialect. */
    public static DpsUsername parse(String username) {
        TextReader r = new TextReader(Subject.USERNAME, username);
        IdScope scope = r.typed(r.segment("id scope"), 0, IdScope::new);
        r.literal("registrations/");
        int at = r.position();
        RegistrationId registration = r.typed(r.segment("registration id"), at, RegistrationId::new);
        Map<String, TextReader.Param> params = r.params(null, true);
        r.require(params, API_VERSION);
        LinkedHashMap<String, String> values = new LinkedHashMap<>();
        params.forEach((k, v) -> values.put(k, v.value()));
        return new DpsUsername(scope, registration, values);
    }
}
