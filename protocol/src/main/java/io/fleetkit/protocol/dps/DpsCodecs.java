package io.fleetkit.protocol.dps;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.codec.Field;
import io.fleetkit.protocol.codec.Kind;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.codec.ObjectKind;
import io.fleetkit.protocol.codec.Values;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;

import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;

/**
 * The JSON bodies of the DPS MQTT dialect. Lenient where Azure's SDKs and service add members
 * fleetkit does not model ({@code tpm}, {@code x509}, {@code payload} in answers): those are
 * ignored on reading and never written.
 */
public final class DpsCodecs {
    private static final int MAX_BYTES = 64 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final Field<RegistrationId> REGISTRATION_ID = Field.required("registrationId",
            Kinds.typedString(RegistrationId.MAX_LENGTH, null, RegistrationId::new, RegistrationId::value), "the registration id; the certificate CN");
    private static final Field<String> PAYLOAD = Field.optional("payload", new PayloadKind(),
            "custom data for allocation: a JSON object, or a JSON string holding one");

    /** {@code {"registrationId":…,"payload":…}}. */
    public static final MessageCodec<RegisterRequest> REGISTER_REQUEST = new MessageCodec<>("DPS register request",
            ObjectKind.lenient("DPS register request", "The body of $dps/registrations/PUT/iotdps-register/.",
                    List.of(REGISTRATION_ID, PAYLOAD),
                    v -> new RegisterRequest(v.get(REGISTRATION_ID), v.find(PAYLOAD)),
                    r -> Values.of().put(REGISTRATION_ID, r.registrationId()).put(PAYLOAD, r.payloadJson())),
            MAX_BYTES);

    private static final Field<RegistrationStatus> STATUS = Field.required("status", Kinds.enumeration(RegistrationStatus.class), "registration status");
    private static final Field<Substatus> SUBSTATUS = Field.optional("substatus", Kinds.enumeration(Substatus.class), "how the assignment came about");
    private static final Field<String> ASSIGNED_HUB = Field.optional("assignedHub", Kinds.string(1, 253, null), "host name of the assigned hub");
    private static final Field<DeviceId> DEVICE_ID = Field.optional("deviceId",
            Kinds.typedString(DeviceId.MAX_LENGTH, null, DeviceId::new, DeviceId::value), "device id in the assigned hub");
    private static final Field<Instant> CREATED = Field.optional("createdDateTimeUtc", Kinds.timestamp(), "first registration");
    private static final Field<Instant> UPDATED = Field.optional("lastUpdatedDateTimeUtc", Kinds.timestamp(), "last change");
    private static final Field<String> ETAG = Field.optional("etag", Kinds.string(1, 128, null), "version of the registration record");
    private static final Field<Integer> ERROR_CODE = Field.optional("errorCode", Kinds.int32(100_000, 599_999), "DPS error code when failed");
    private static final Field<String> ERROR_MESSAGE = Field.optional("errorMessage", Kinds.string(0, 1024, null), "why it failed");

    private static final ObjectKind<RegistrationState> STATE = ObjectKind.lenient("registration state",
            "Where DPS assigned the device, or why it did not.",
            List.of(REGISTRATION_ID, CREATED, ASSIGNED_HUB, DEVICE_ID, STATUS, SUBSTATUS, ERROR_CODE, ERROR_MESSAGE, UPDATED, ETAG),
            v -> new RegistrationState(v.get(REGISTRATION_ID), v.get(STATUS), v.find(SUBSTATUS), v.find(ASSIGNED_HUB),
                    v.find(DEVICE_ID), v.find(CREATED), v.find(UPDATED), v.find(ETAG),
                    v.find(ERROR_CODE).map(OptionalInt::of).orElse(OptionalInt.empty()), v.find(ERROR_MESSAGE)),
            s -> Values.of().put(REGISTRATION_ID, s.registrationId()).put(CREATED, s.createdDateTimeUtc())
                    .put(ASSIGNED_HUB, s.assignedHub()).put(DEVICE_ID, s.deviceId()).put(STATUS, s.status())
                    .put(SUBSTATUS, s.substatus())
                    .put(ERROR_CODE, s.errorCode().isPresent() ? s.errorCode().getAsInt() : null)
                    .put(ERROR_MESSAGE, s.errorMessage()).put(UPDATED, s.lastUpdatedDateTimeUtc()).put(ETAG, s.etag()));

    private static final Field<OperationId> OPERATION_ID = Field.required("operationId",
            Kinds.typedString(OperationId.MAX_LENGTH, null, OperationId::new, OperationId::value), "the operation to poll");
    private static final Field<RegistrationState> REGISTRATION_STATE = Field.optional("registrationState", STATE, "the outcome, once known");

    /** {@code {"operationId":…,"status":…,"registrationState":{…}}}. */
    public static final MessageCodec<RegistrationOperation> OPERATION = new MessageCodec<>("DPS registration operation",
            ObjectKind.lenient("DPS registration operation",
                    "The answer to a register request or a status poll.",
                    List.of(OPERATION_ID, STATUS, REGISTRATION_STATE),
                    v -> new RegistrationOperation(v.get(OPERATION_ID), v.get(STATUS), v.find(REGISTRATION_STATE)),
                    o -> Values.of().put(OPERATION_ID, o.operationId()).put(STATUS, o.status())
                            .put(REGISTRATION_STATE, o.registrationState())),
            MAX_BYTES);

    private static final Field<Integer> DPS_ERROR_CODE = Field.required("errorCode", Kinds.int32(100_000, 599_999), "HTTP status and three digits");
    private static final Field<String> TRACKING_ID = Field.required("trackingId", Kinds.string(0, 128, null), "id for support");
    private static final Field<String> MESSAGE = Field.required("message", Kinds.string(0, 1024, null), "human-readable reason");
    private static final Field<Instant> TIMESTAMP = Field.required("timestampUtc", Kinds.timestamp(), "when");

    /** {@code {"errorCode":…,"trackingId":…,"message":…,"timestampUtc":…}}. */
    public static final MessageCodec<DpsError> ERROR = new MessageCodec<>("DPS error",
            ObjectKind.lenient("DPS error", "The body of a DPS error answer.",
                    List.of(DPS_ERROR_CODE, TRACKING_ID, MESSAGE, TIMESTAMP),
                    v -> new DpsError(v.get(DPS_ERROR_CODE), v.get(TRACKING_ID), v.get(MESSAGE), v.get(TIMESTAMP)),
                    e -> Values.of().put(DPS_ERROR_CODE, e.errorCode()).put(TRACKING_ID, e.trackingId())
                            .put(MESSAGE, e.message()).put(TIMESTAMP, e.timestampUtc())),
            MAX_BYTES);

    private DpsCodecs() {
    }

    /** A custom payload: an object is kept as its text; a string holding JSON becomes that JSON's text. */
    private static final class PayloadKind extends Kind<String> {
        @Override
        public String read(JsonNode n, String path, Subject s) {
            if (n.isTextual()) {
                try {
                    JsonNode inner = JSON.readTree(n.textValue());
                    if (inner != null && inner.isObject()) {
                        return inner.toString();
                    }
                } catch (IOException notJson) {
                    // an opaque string payload: kept as a JSON string literal
                }
                return n.toString();
            }
            if (n.isObject()) {
                return n.toString();
            }
            throw mismatch(n, path, s);
        }

        @Override
        public JsonNode write(String json) {
            try {
                return JSON.readTree(json);
            } catch (IOException e) {
                throw new IllegalArgumentException("payloadJson: not JSON: " + e.getMessage(), e);
            }
        }

        @Override
        public ObjectNode schema() {
            ObjectNode o = JsonNodeFactory.instance.objectNode();
            o.putArray("type").add("object").add("string");
            return o;
        }

        @Override
        protected String expected() {
            return "a JSON object or a string";
        }
    }
}
