package io.fleetkit.protocol.testport;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.codec.Field;
import io.fleetkit.protocol.codec.Kinds;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.codec.ObjectKind;
import io.fleetkit.protocol.codec.Values;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.testport.TestPortMessage.Button;
import io.fleetkit.protocol.testport.TestPortMessage.ButtonAction;
import io.fleetkit.protocol.testport.TestPortMessage.Hello;
import io.fleetkit.protocol.testport.TestPortMessage.Led;
import io.fleetkit.protocol.testport.TestPortMessage.LedMode;
import io.fleetkit.protocol.testport.TestPortMessage.Log;
import io.fleetkit.protocol.testport.TestPortMessage.LogLevel;
import io.fleetkit.protocol.testport.TestPortMessage.MethodCall;
import io.fleetkit.protocol.testport.TestPortMessage.MethodResult;
import io.fleetkit.protocol.testport.TestPortMessage.Ping;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Maps {@link TestPortMessage}s to frames and back. Every payload is a CBOR map, defined with the
 * same field types as the hub's JSON (so {@code protocol/spec/} has a schema for each); telemetry
 * and event frames carry exactly the CBOR form of the device message.
 */
public final class TestPortCodec {
    private static final int MAX = Frame.MAX_PAYLOAD;

    private static final Field<Integer> PROTOCOL = Field.required("protocolVersion", Kinds.int32(1, 255), "test-port protocol version");
    private static final Field<DeviceId> DEVICE = Field.required("deviceId",
            Kinds.typedString(DeviceId.MAX_LENGTH, null, DeviceId::new, DeviceId::value), "the device's id (its certificate CN)");
    private static final Field<String> FIRMWARE = Field.required("firmwareVersion",
            Kinds.string(1, Messages.VERSION_MAX, Messages.VERSION_PATTERN), "running firmware");
    private static final Field<String> MODEL = Field.required("modelId", Kinds.string(1, Messages.NAME_MAX, Messages.NAME_PATTERN), "device model");
    private static final Field<Long> RID = Field.required("rid", Kinds.integer(0, Messages.SEQ_MAX), "correlation id");
    private static final Field<MethodName> METHOD = Field.required("method",
            Kinds.typedString(MethodName.MAX_LENGTH, null, MethodName::new, MethodName::value), "method name");
    private static final Field<JsonNode> PAYLOAD = Field.optional("payload", Kinds.anyJson(), "the JSON payload as CBOR; absent for none");
    private static final Field<Integer> STATUS = Field.required("status", Kinds.int32(0, 999), "method status");
    private static final Field<ButtonAction> ACTION = Field.required("action", Kinds.enumeration(ButtonAction.class), "pressed or released");
    private static final Field<LedMode> MODE = Field.required("mode", Kinds.enumeration(LedMode.class), "off, on or blink");
    private static final Field<String> COLOR = Field.required("color", Kinds.string(1, 32, "[a-z]+"), "LED colour");
    private static final Field<Integer> PERIOD = Field.required("periodMs", Kinds.int32(0, 60_000), "blink period");
    private static final Field<LogLevel> LEVEL = Field.required("level", Kinds.enumeration(LogLevel.class), "log level");
    private static final Field<String> TEXT = Field.required("text", Kinds.string(0, Log.MAX_TEXT, null), "log line");
    private static final Field<Long> SEQ = Field.required("seq", Kinds.integer(0, Messages.SEQ_MAX), "ping number");
    private static final Field<Boolean> REPLY = Field.required("reply", Kinds.bool(), "false for a ping, true for its answer");

    private static final Map<FrameType, MessageCodec<? extends TestPortMessage>> CODECS = new EnumMap<>(FrameType.class);

    static {
        put(FrameType.HELLO, "The device introduces itself.", List.of(PROTOCOL, DEVICE, FIRMWARE, MODEL),
                v -> new Hello(v.get(PROTOCOL), v.get(DEVICE), v.get(FIRMWARE), v.get(MODEL)),
                (Hello h) -> Values.of().put(PROTOCOL, h.protocolVersion()).put(DEVICE, h.deviceId())
                        .put(FIRMWARE, h.firmwareVersion()).put(MODEL, h.modelId()));
        put(FrameType.METHOD_REQUEST, "A direct method call relayed to the device.", List.of(RID, METHOD, PAYLOAD),
                v -> new MethodCall(v.get(RID), v.get(METHOD), v.find(PAYLOAD)),
                (MethodCall c) -> Values.of().put(RID, c.requestId()).put(METHOD, c.method()).put(PAYLOAD, c.payload()));
        put(FrameType.METHOD_RESPONSE, "The device's answer to a method call.", List.of(RID, STATUS, PAYLOAD),
                v -> new MethodResult(v.get(RID), v.get(STATUS), v.find(PAYLOAD)),
                (MethodResult r) -> Values.of().put(RID, r.requestId()).put(STATUS, r.status()).put(PAYLOAD, r.payload()));
        put(FrameType.BUTTON, "The button changed, or a press to inject.", List.of(ACTION),
                v -> new Button(v.get(ACTION)), (Button b) -> Values.of().put(ACTION, b.action()));
        put(FrameType.LED, "The LED changed.", List.of(MODE, COLOR, PERIOD),
                v -> new Led(v.get(MODE), v.get(COLOR), v.get(PERIOD)),
                (Led l) -> Values.of().put(MODE, l.mode()).put(COLOR, l.color()).put(PERIOD, l.periodMs()));
        put(FrameType.LOG, "A line of the device's log.", List.of(LEVEL, TEXT),
                v -> new Log(v.get(LEVEL), v.get(TEXT)), (Log l) -> Values.of().put(LEVEL, l.level()).put(TEXT, l.text()));
        put(FrameType.PING, "Liveness check and its answer.", List.of(SEQ, REPLY),
                v -> new Ping(v.get(SEQ), v.get(REPLY)), (Ping p) -> Values.of().put(SEQ, p.seq()).put(REPLY, p.reply()));
    }

    private TestPortCodec() {
    }

    public static Frame toFrame(TestPortMessage message) {
        if (message instanceof TestPortMessage.Message m) {
            return new Frame(m.frameType(), DeviceMessageCodec.CODEC.toCbor(m.message()));
        }
        return new Frame(message.frameType(), encode(CODECS.get(message.frameType()), message));
    }

    @SuppressWarnings("unchecked")
    private static <T extends TestPortMessage> byte[] encode(MessageCodec<T> codec, TestPortMessage message) {
        return codec.toCbor((T) message);
    }

    /**
     * Reads a frame's payload.
     *
     * @throws ProtocolException (subject FRAME) naming the frame type and the CBOR path
     */
    public static TestPortMessage fromFrame(Frame frame) {
        try {
            if (frame.type() == FrameType.TELEMETRY || frame.type() == FrameType.EVENT) {
                DeviceMessage m = DeviceMessageCodec.CODEC.fromCbor(frame.payload());
                if ((m instanceof Telemetry) != (frame.type() == FrameType.TELEMETRY)) {
                    throw new ProtocolException(Subject.FRAME, null, frame.type() + " frame",
                            "carries a " + m.type().wireName() + " message; telemetry goes in TELEMETRY frames, "
                                    + "lifecycle, alert and presence in EVENT frames");
                }
                return new TestPortMessage.Message(m);
            }
            return CODECS.get(frame.type()).fromCbor(frame.payload());
        } catch (ProtocolException e) {
            if (e.subject() == Subject.FRAME) {
                throw e;
            }
            throw new ProtocolException(Subject.FRAME, null, frame.type() + " frame", e.getMessage());
        }
    }

    /** The codec of one frame type's payload (for schemas and vectors); telemetry and event use {@link DeviceMessageCodec}. */
    public static MessageCodec<? extends TestPortMessage> payloadCodec(FrameType type) {
        return CODECS.get(type);
    }

    private static <T extends TestPortMessage> void put(FrameType type, String description, List<Field<?>> fields,
                                                        java.util.function.Function<Values, T> read,
                                                        java.util.function.Function<T, Values> write) {
        String name = "test-port " + type.name().toLowerCase().replace('_', ' ') + " frame";
        CODECS.put(type, new MessageCodec<>(name, ObjectKind.strict(name, description, fields, read, write), MAX));
    }
}
