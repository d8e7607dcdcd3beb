package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.ModuleId;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The username a device sends when it connects to the hub:
 * {@code {hubHostName}/{deviceId}/?api-version=2020-09-30&DeviceClientType=…&model-id=…}, or
 * {@code {hubHostName}/{deviceId}/{moduleId}/?api-version=…} for a module. Parameters keep
 * their order; values are URL-encoded on the wire.
 *
 * @param parameters every query parameter in order, decoded, {@code api-version} included
 */
public record HubUsername(HubHostName hubHostName, DeviceId deviceId, Optional<ModuleId> moduleId,
                          Map<String, String> parameters) implements MqttUsername {
    public static final String API_VERSION = "api-version";
    public static final String DEVICE_CLIENT_TYPE = "DeviceClientType";
    public static final String MODEL_ID = "model-id";
    /** The API version the Azure IoT device SDKs of 2020 onwards send, and fleetkit's devices use. */
    public static final String DEFAULT_API_VERSION = "2020-09-30";

    public HubUsername {
        Objects.requireNonNull(hubHostName, "hubHostName");
        Objects.requireNonNull(deviceId, "deviceId");
        Objects.requireNonNull(moduleId, "moduleId");
        Objects.requireNonNull(parameters, "parameters");
        if (!parameters.containsKey(API_VERSION)) {
            throw new IllegalArgumentException("parameters: must contain '" + API_VERSION + "'");
        }
        parameters = Collections.unmodifiableMap(new LinkedHashMap<>(parameters));
    }

    /** A device username with the default API version and, if given, a client type. */
    public static HubUsername of(HubHostName hub, DeviceId device, String deviceClientType) {
        LinkedHashMap<String, String> p = new LinkedHashMap<>();
        p.put(API_VERSION, DEFAULT_API_VERSION);
        if (deviceClientType != null) {
            p.put(DEVICE_CLIENT_TYPE, deviceClientType);
        }
        return new HubUsername(hub, device, Optional.empty(), p);
    }

    public String apiVersion() {
        return parameters.get(API_VERSION);
    }

    public Optional<String> deviceClientType() {
        return Optional.ofNullable(parameters.get(DEVICE_CLIENT_TYPE));
    }

    public Optional<String> modelId() {
        return Optional.ofNullable(parameters.get(MODEL_ID));
    }

    @Override
    public String format() {
        StringBuilder sb = new StringBuilder(128).append(hubHostName.value()).append('/').append(deviceId.value()).append('/');
        moduleId.ifPresent(m -> sb.append(m.value()).append('/'));
        sb.append('?');
        appendParameters(sb, parameters);
        return sb.toString();
    }

    static void appendParameters(StringBuilder sb, Map<String, String> parameters) {
        boolean first = true;
        for (Map.Entry<String, String> e : parameters.entrySet()) {
            if (!first) {
                sb.append('&');
            }
            first = false;
            sb.append(e.getKey()).append('=').append(PercentCodec.encode(e.getValue()));
        }
    }

    /** Parses a hub username; see {@link MqttUsername#parse(String)} for either dialect. */
    public static HubUsername parse(String username) {
        TextReader r = new TextReader(Subject.USERNAME, username);
        HubHostName hub = r.typed(r.segment("hub host name"), 0, HubHostName::new);
        int at = r.position();
        DeviceId device = r.typed(r.segment("device id"), at, DeviceId::new);
        Optional<ModuleId> module = Optional.empty();
        if (!r.tryLiteral("?")) {
            int mat = r.position();
            module = Optional.of(r.typed(r.segment("module id"), mat, ModuleId::new));
            r.literal("?");
        }
        Map<String, TextReader.Param> params = r.params(null, true);
        r.require(params, API_VERSION);
        LinkedHashMap<String, String> values = new LinkedHashMap<>();
        params.forEach((k, v) -> values.put(k, v.value()));
        return new HubUsername(hub, device, module, values);
    }
}
