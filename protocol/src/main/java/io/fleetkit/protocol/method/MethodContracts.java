package io.fleetkit.protocol.method;

import io.fleetkit.protocol.codec.Field;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.codec.ObjectKind;
import io.fleetkit.protocol.codec.Values;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.message.Presence;

import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The request and response codecs of every {@link ReferenceMethod}, and of {@link MethodError}.
 * Payloads are JSON of at most 128 KB (IoT Hub's limit).
 */
public final class MethodContracts {
    /** The codecs of one method. */
    public record Contract(ReferenceMethod method, MessageCodec<MethodRequest> request, MessageCodec<MethodResponse> response) {
    }

    private static final Map<ReferenceMethod, Contract> CONTRACTS = new EnumMap<>(ReferenceMethod.class);

    private static final Field<Integer> DELAY = Field.optional("delaySeconds", Kinds.int32(0, 3600), "seconds before the restart, default 0");
    private static final Field<Integer> REBOOTING_IN = Field.required("rebootingInSeconds", Kinds.int32(0, 3600), "seconds until the restart");
    private static final Field<Integer> INTERVAL = Field.required("intervalSeconds", Kinds.int32(1, 86_400), "telemetry interval in seconds");
    private static final Field<Integer> PREVIOUS = Field.required("previousIntervalSeconds", Kinds.int32(1, 86_400), "the interval before this call");
    private static final Field<Integer> DURATION = Field.optional("durationSeconds", Kinds.int32(1, 300), "how long to blink, default 10");
    private static final Field<Integer> BLINKING = Field.required("blinkingForSeconds", Kinds.int32(1, 300), "how long the LED blinks");
    private static final Field<String> FIRMWARE = Field.required("firmwareVersion", Kinds.string(1, Messages.VERSION_MAX, Messages.VERSION_PATTERN), "running firmware");
    private static final Field<String> MODEL = Field.required("modelId", Kinds.string(1, Messages.NAME_MAX, Messages.NAME_PATTERN), "device model id");
    private static final Field<Long> UPTIME = Field.required("uptimeSeconds", Kinds.integer(0, Messages.SEQ_MAX), "seconds since boot");
    private static final Field<Long> HEAP = Field.required("freeHeapBytes", Kinds.integer(0, Messages.SEQ_MAX), "free heap memory");
    private static final Field<Integer> RSSI = Field.required("rssiDbm", Kinds.int32(-150, 0), "received signal strength");
    private static final Field<ResetReason> LAST_RESET = Field.required("lastResetReason", Kinds.enumeration(ResetReason.class), "why the device last reset");
    private static final Field<Integer> TELEMETRY_INTERVAL = Field.required("telemetryIntervalSeconds", Kinds.int32(1, 86_400), "current telemetry interval");
    private static final Field<Long> SENT = Field.required("messagesSent", Kinds.integer(0, Messages.SEQ_MAX), "messages sent since boot");
    private static final Field<String> NONCE = Field.required("nonce", Kinds.string(Presence.NONCE_MIN, Presence.NONCE_MAX, Presence.NONCE_PATTERN), "claim nonce, echoed in the presence message");
    private static final Field<Integer> WINDOW = Field.optional("windowSeconds", Kinds.int32(10, 600), "how long to wait for the button, default 60");
    private static final Field<Integer> AWAITING = Field.required("awaitingButtonForSeconds", Kinds.int32(10, 600), "the claim window");
    private static final Field<Boolean> CONFIRM = Field.required("confirm", Kinds.bool(), "must be true");
    private static final Field<Integer> RESETTING_IN = Field.required("resettingInSeconds", Kinds.int32(0, 3600), "seconds until the reset");
    private static final Field<MethodError.Code> ERROR = Field.required("error", Kinds.enumeration(MethodError.Code.class), "error code");
    private static final Field<String> MESSAGE = Field.required("message", Kinds.string(0, 1024, null), "human-readable reason");

    /** The payload of an answer with status 400 or more. */
    public static final MessageCodec<MethodError> ERROR_CODEC = new MessageCodec<>("method error", ObjectKind.strict("method error",
            "The payload of a failed method call.", List.of(ERROR, MESSAGE),
            v -> new MethodError(v.get(ERROR), v.get(MESSAGE)),
            e -> Values.of().put(ERROR, e.error()).put(MESSAGE, e.message())), Messages.METHOD_PAYLOAD_MAX_BYTES);

    static {
        define(ReferenceMethod.REBOOT, List.of(DELAY), v -> new MethodRequest.Reboot(v.getOrDefault(DELAY, 0)),
                r -> Values.of().put(DELAY, ((MethodRequest.Reboot) r).delaySeconds()),
                List.of(REBOOTING_IN), v -> new MethodResponse.Reboot(v.get(REBOOTING_IN)),
                r -> Values.of().put(REBOOTING_IN, ((MethodResponse.Reboot) r).rebootingInSeconds()));
        define(ReferenceMethod.SET_TELEMETRY_INTERVAL, List.of(INTERVAL),
                v -> new MethodRequest.SetTelemetryInterval(v.get(INTERVAL)),
                r -> Values.of().put(INTERVAL, ((MethodRequest.SetTelemetryInterval) r).intervalSeconds()),
                List.of(INTERVAL, PREVIOUS), v -> new MethodResponse.SetTelemetryInterval(v.get(INTERVAL), v.get(PREVIOUS)),
                r -> {
                    var s = (MethodResponse.SetTelemetryInterval) r;
                    return Values.of().put(INTERVAL, s.intervalSeconds()).put(PREVIOUS, s.previousIntervalSeconds());
                });
        define(ReferenceMethod.IDENTIFY, List.of(DURATION), v -> new MethodRequest.Identify(v.getOrDefault(DURATION, 10)),
                r -> Values.of().put(DURATION, ((MethodRequest.Identify) r).durationSeconds()),
                List.of(BLINKING), v -> new MethodResponse.Identify(v.get(BLINKING)),
                r -> Values.of().put(BLINKING, ((MethodResponse.Identify) r).blinkingForSeconds()));
        define(ReferenceMethod.GET_DIAGNOSTICS, List.of(), v -> new MethodRequest.GetDiagnostics(), r -> Values.of(),
                List.of(FIRMWARE, MODEL, UPTIME, HEAP, RSSI, LAST_RESET, TELEMETRY_INTERVAL, SENT),
                v -> new MethodResponse.GetDiagnostics(v.get(FIRMWARE), v.get(MODEL), v.get(UPTIME), v.get(HEAP),
                        v.get(RSSI), v.get(LAST_RESET), v.get(TELEMETRY_INTERVAL), v.get(SENT)),
                r -> {
                    var d = (MethodResponse.GetDiagnostics) r;
                    return Values.of().put(FIRMWARE, d.firmwareVersion()).put(MODEL, d.modelId())
                            .put(UPTIME, d.uptimeSeconds()).put(HEAP, d.freeHeapBytes()).put(RSSI, d.rssiDbm())
                            .put(LAST_RESET, d.lastResetReason()).put(TELEMETRY_INTERVAL, d.telemetryIntervalSeconds())
                            .put(SENT, d.messagesSent());
                });
        define(ReferenceMethod.START_CLAIM, List.of(NONCE, WINDOW),
                v -> new MethodRequest.StartClaim(v.get(NONCE), v.getOrDefault(WINDOW, 60)),
                r -> {
                    var c = (MethodRequest.StartClaim) r;
                    return Values.of().put(NONCE, c.nonce()).put(WINDOW, c.windowSeconds());
                },
                List.of(AWAITING), v -> new MethodResponse.StartClaim(v.get(AWAITING)),
                r -> Values.of().put(AWAITING, ((MethodResponse.StartClaim) r).awaitingButtonForSeconds()));
        define(ReferenceMethod.FACTORY_RESET, List.of(CONFIRM), v -> new MethodRequest.FactoryReset(v.get(CONFIRM)),
                r -> Values.of().put(CONFIRM, ((MethodRequest.FactoryReset) r).confirm()),
                List.of(RESETTING_IN), v -> new MethodResponse.FactoryReset(v.get(RESETTING_IN)),
                r -> Values.of().put(RESETTING_IN, ((MethodResponse.FactoryReset) r).resettingInSeconds()));
    }

    private MethodContracts() {
    }

    public static Contract of(ReferenceMethod method) {
        return CONTRACTS.get(method);
    }

    /** The contract of a method name, if it is one of the reference methods. */
    public static Optional<Contract> of(MethodName name) {
        return ReferenceMethod.of(name).map(CONTRACTS::get);
    }

    /**
     * Decodes a call's payload. An empty payload or JSON {@code null} (what the service SDKs send
     * for "no payload") reads as {@code {}}.
     *
     * @throws io.fleetkit.protocol.ProtocolException when the payload does not fit the method
     */
    public static MethodRequest decodeRequest(ReferenceMethod method, byte[] payload) {
        return of(method).request().fromJson(isEmpty(payload) ? "{}".getBytes(StandardCharsets.UTF_8) : payload);
    }

    private static boolean isEmpty(byte[] payload) {
        return payload.length == 0 || new String(payload, StandardCharsets.UTF_8).strip().equals("null");
    }

    private static void define(ReferenceMethod m, List<Field<?>> requestFields,
                               java.util.function.Function<Values, MethodRequest> readRequest,
                               java.util.function.Function<MethodRequest, Values> writeRequest,
                               List<Field<?>> responseFields,
                               java.util.function.Function<Values, MethodResponse> readResponse,
                               java.util.function.Function<MethodResponse, Values> writeResponse) {
        String name = m.methodName().value();
        var request = ObjectKind.strict(name + " request", "The payload of a call to " + name + ".",
                requestFields, readRequest, writeRequest);
        var response = ObjectKind.strict(name + " response", "The payload of " + name + "'s answer with status 200.",
                responseFields, readResponse, writeResponse);
        CONTRACTS.put(m, new Contract(m,
                new MessageCodec<>(name + " request", request, Messages.METHOD_PAYLOAD_MAX_BYTES),
                new MessageCodec<>(name + " response", response, Messages.METHOD_PAYLOAD_MAX_BYTES)));
    }

    static void checkRange(String name, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(name + ": must be " + min + "–" + max + ", was " + value);
        }
    }
}
