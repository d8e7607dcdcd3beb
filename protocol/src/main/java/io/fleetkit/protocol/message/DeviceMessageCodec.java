package io.fleetkit.protocol.message;

import io.fleetkit.protocol.codec.Field;
import io.fleetkit.protocol.codec.Kind;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.codec.ObjectKind;
import io.fleetkit.protocol.codec.Values;
import io.fleetkit.protocol.codec.VariantKind;
import io.fleetkit.protocol.message.LifecycleEvent.Boot;
import io.fleetkit.protocol.message.LifecycleEvent.FirmwareUpdate;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The wire form of {@link DeviceMessage}s: JSON on the hub, CBOR on the test port, both from
 * the field definitions below, which also produce the JSON Schemas in {@code protocol/spec/}.
 */
public final class DeviceMessageCodec {
    private static final Field<Void> V = Field.constant("v", DeviceMessage.VERSION, "schema version");
    private static final Field<Long> SEQ = Field.required("seq", Kinds.integer(0, Messages.SEQ_MAX),
            "per-device sequence number, +1 per message, kept across reconnects; the de-duplication key");
    private static final Field<Instant> TS = Field.required("ts", Kinds.timestamp(), "device time, ISO-8601 UTC");

    private static final Kind<Reading> READING = ReadingKind.INSTANCE;
    private static final Kind<Map<String, Reading>> READINGS_KIND = Kinds.mapOf(READING, Messages.NAME, Messages.READINGS_MAX);
    private static final Field<Map<String, Reading>> READINGS = Field.required("readings", READINGS_KIND, "telemetry field name → value");

    private static final Field<String> FIRMWARE_VERSION = Field.required("firmwareVersion",
            Kinds.string(1, Messages.VERSION_MAX, Messages.VERSION_PATTERN), "running firmware version");
    private static final Field<String> MODEL_ID = Field.required("modelId",
            Kinds.string(1, Messages.NAME_MAX, Messages.NAME_PATTERN), "device model id, e.g. thermostat");
    private static final Field<LifecycleEvent.ResetReason> RESET_REASON = Field.required("resetReason",
            Kinds.enumeration(LifecycleEvent.ResetReason.class), "why the device last reset");
    private static final Field<String> TARGET_VERSION = Field.required("targetVersion",
            Kinds.string(1, Messages.VERSION_MAX, Messages.VERSION_PATTERN), "firmware version being installed");
    private static final Field<LifecycleEvent.UpdateState> UPDATE_STATE = Field.required("state",
            Kinds.enumeration(LifecycleEvent.UpdateState.class), "phase of the update");
    private static final Field<Integer> PROGRESS = Field.required("progressPercent", Kinds.int32(0, 100), "0–100");

    private static final Field<String> CODE = Field.required("code",
            Kinds.string(1, Messages.NAME_MAX, Alert.CODE_PATTERN), "stable machine-readable alert code");
    private static final Field<Alert.Severity> SEVERITY = Field.required("severity",
            Kinds.enumeration(Alert.Severity.class), "how urgent");
    private static final Field<String> DETAIL = Field.required("detail",
            Kinds.string(0, Messages.DETAIL_MAX, null), "human-readable explanation");

    private static final Field<String> NONCE = Field.required("nonce",
            Kinds.string(Presence.NONCE_MIN, Presence.NONCE_MAX, Presence.NONCE_PATTERN), "the claim's nonce");
    private static final Field<byte[]> SIGNATURE = Field.required("signature",
            Kinds.bytes(1, Presence.SIGNATURE_MAX), "signature by the device key over the presence content");

    private static final ObjectKind<Telemetry> TELEMETRY = ObjectKind.strict("telemetry",
            "Periodic sensor readings.",
            List.of(V, type(MessageType.TELEMETRY), SEQ, TS, READINGS),
            v -> new Telemetry(v.get(SEQ), v.get(TS), v.get(READINGS)),
            m -> Values.of().put(SEQ, m.seq()).put(TS, m.ts()).put(READINGS, m.readings()));

    private static final Field<Void> BOOT_EVENT = Field.constant("event", "boot", "lifecycle event");
    private static final ObjectKind<Lifecycle> BOOT = ObjectKind.strict("lifecycle boot",
            "The device booted.",
            List.of(V, type(MessageType.LIFECYCLE), SEQ, TS, BOOT_EVENT, FIRMWARE_VERSION, MODEL_ID, RESET_REASON),
            v -> new Lifecycle(v.get(SEQ), v.get(TS), new Boot(v.get(FIRMWARE_VERSION), v.get(MODEL_ID), v.get(RESET_REASON))),
            m -> {
                Boot b = (Boot) m.event();
                return Values.of().put(SEQ, m.seq()).put(TS, m.ts()).put(FIRMWARE_VERSION, b.firmwareVersion())
                        .put(MODEL_ID, b.modelId()).put(RESET_REASON, b.resetReason());
            });

    private static final Field<Void> UPDATE_EVENT = Field.constant("event", "firmwareUpdate", "lifecycle event");
    private static final ObjectKind<Lifecycle> FIRMWARE_UPDATE = ObjectKind.strict("lifecycle firmware update",
            "A firmware update progressed.",
            List.of(V, type(MessageType.LIFECYCLE), SEQ, TS, UPDATE_EVENT, TARGET_VERSION, UPDATE_STATE, PROGRESS),
            v -> new Lifecycle(v.get(SEQ), v.get(TS),
                    new FirmwareUpdate(v.get(TARGET_VERSION), v.get(UPDATE_STATE), v.get(PROGRESS))),
            m -> {
                FirmwareUpdate f = (FirmwareUpdate) m.event();
                return Values.of().put(SEQ, m.seq()).put(TS, m.ts()).put(TARGET_VERSION, f.targetVersion())
                        .put(UPDATE_STATE, f.state()).put(PROGRESS, f.progressPercent());
            });

    private static final Kind<Lifecycle> LIFECYCLE = VariantKind.<Lifecycle>by("event",
                    m -> m.event() instanceof Boot ? "boot" : "firmwareUpdate")
            .variant("boot", BOOT)
            .variant("firmwareUpdate", FIRMWARE_UPDATE)
            .build();

    private static final ObjectKind<Alert> ALERT = ObjectKind.strict("alert",
            "Something is wrong on the device.",
            List.of(V, type(MessageType.ALERT), SEQ, TS, CODE, SEVERITY, DETAIL),
            v -> new Alert(v.get(SEQ), v.get(TS), v.get(CODE), v.get(SEVERITY), v.get(DETAIL)),
            m -> Values.of().put(SEQ, m.seq()).put(TS, m.ts()).put(CODE, m.code()).put(SEVERITY, m.severity())
                    .put(DETAIL, m.detail()));

    private static final ObjectKind<Presence> PRESENCE = ObjectKind.strict("presence",
            "Proof of a button press during an ownership claim, signed by the device key.",
            List.of(V, type(MessageType.PRESENCE), SEQ, TS, NONCE, SIGNATURE),
            v -> new Presence(v.get(SEQ), v.get(TS), v.get(NONCE), v.get(SIGNATURE)),
            m -> Values.of().put(SEQ, m.seq()).put(TS, m.ts()).put(NONCE, m.nonce()).put(SIGNATURE, m.signature()));

    private static final Kind<DeviceMessage> ANY = VariantKind.<DeviceMessage>by("type", m -> m.type().wireName())
            .variant("telemetry", TELEMETRY)
            .variant("lifecycle", LIFECYCLE)
            .variant("alert", ALERT)
            .variant("presence", PRESENCE)
            .build();

    /** Any device message, up to IoT Hub's 256 KB. */
    public static final MessageCodec<DeviceMessage> CODEC =
            new MessageCodec<>("device message", ANY, Messages.DEVICE_TO_CLOUD_MAX_BYTES);

    /**
     * A telemetry message's readings as the JSON object they are in the message (what the telemetry store keeps): the
     * readings alone, not the whole message encoded to take them out of it.
     */
    public static String readingsJson(Telemetry message) {
        return READINGS_KIND.write(message.readings()).toString();
    }

    private DeviceMessageCodec() {
    }

    /** The codec of one message type alone, for its own JSON Schema. */
    public static MessageCodec<? extends DeviceMessage> codecOf(MessageType type) {
        return switch (type) {
            case TELEMETRY -> new MessageCodec<>("telemetry", TELEMETRY, Messages.DEVICE_TO_CLOUD_MAX_BYTES);
            case LIFECYCLE -> new MessageCodec<>("lifecycle", LIFECYCLE, Messages.DEVICE_TO_CLOUD_MAX_BYTES);
            case ALERT -> new MessageCodec<>("alert", ALERT, Messages.DEVICE_TO_CLOUD_MAX_BYTES);
            case PRESENCE -> new MessageCodec<>("presence", PRESENCE, Messages.DEVICE_TO_CLOUD_MAX_BYTES);
        };
    }

    private static Field<Void> type(MessageType t) {
        return Field.constant("type", t.wireName(), "message type; equals the topic's 'type' property");
    }

}
