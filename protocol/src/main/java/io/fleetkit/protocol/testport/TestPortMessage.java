package io.fleetkit.protocol.testport;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.codec.WireName;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.Messages;
import io.fleetkit.protocol.message.Telemetry;

import java.util.Objects;
import java.util.Optional;

/** The typed content of a test-port frame; {@link TestPortCodec} maps it to and from a {@link Frame}. */
public sealed interface TestPortMessage {

    FrameType frameType();

    /** The version of the test-port protocol this library speaks. */
    int PROTOCOL_VERSION = 1;

    /** The device introduces itself. */
    record Hello(int protocolVersion, DeviceId deviceId, String firmwareVersion, String modelId) implements TestPortMessage {
        public Hello {
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(firmwareVersion, "firmwareVersion");
            Objects.requireNonNull(modelId, "modelId");
        }

        @Override
        public FrameType frameType() {
            return FrameType.HELLO;
        }
    }

    /** A device message: a TELEMETRY frame for telemetry, an EVENT frame for the others. */
    record Message(DeviceMessage message) implements TestPortMessage {
        public Message {
            Objects.requireNonNull(message, "message");
        }

        @Override
        public FrameType frameType() {
            return message instanceof Telemetry ? FrameType.TELEMETRY : FrameType.EVENT;
        }
    }

    /**
     * A direct method call relayed to the device.
     *
     * @param requestId the bridge's correlation id, echoed in the response
     * @param payload   the call's JSON payload, carried as the equivalent CBOR value; empty for none
     */
    record MethodCall(long requestId, MethodName method, Optional<JsonNode> payload) implements TestPortMessage {
        public MethodCall {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(payload, "payload");
            payload = payload.map(JsonNode::deepCopy);
        }

        @Override
        public FrameType frameType() {
            return FrameType.METHOD_REQUEST;
        }
    }

    /** The device's answer to a {@link MethodCall}. */
    record MethodResult(long requestId, int status, Optional<JsonNode> payload) implements TestPortMessage {
        public MethodResult {
            if (status < 0 || status > 999) {
                throw new IllegalArgumentException("status: must be 0–999, was " + status);
            }
            Objects.requireNonNull(payload, "payload");
            payload = payload.map(JsonNode::deepCopy);
        }

        @Override
        public FrameType frameType() {
            return FrameType.METHOD_RESPONSE;
        }
    }

    /** The button changed (from the device), or a press to inject (to the device). */
    record Button(ButtonAction action) implements TestPortMessage {
        public Button {
            Objects.requireNonNull(action, "action");
        }

        @Override
        public FrameType frameType() {
            return FrameType.BUTTON;
        }
    }

    /**
     * The LED changed.
     *
     * @param color    e.g. {@code green}; {@code off} mode ignores it
     * @param periodMs blink period for {@link LedMode#BLINK}, else 0
     */
    record Led(LedMode mode, String color, int periodMs) implements TestPortMessage {
        public Led {
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(color, "color");
            if (periodMs < 0 || periodMs > 60_000) {
                throw new IllegalArgumentException("periodMs: must be 0–60000, was " + periodMs);
            }
        }

        @Override
        public FrameType frameType() {
            return FrameType.LED;
        }
    }

    /** A line of the device's log. */
    record Log(LogLevel level, String text) implements TestPortMessage {
        public static final int MAX_TEXT = 1024;

        public Log {
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(text, "text");
            if (text.length() > MAX_TEXT) {
                throw new IllegalArgumentException("text: at most " + MAX_TEXT + " characters");
            }
        }

        @Override
        public FrameType frameType() {
            return FrameType.LOG;
        }
    }

    /** Liveness: a ping with {@code reply=false} is answered by the same {@code seq} with {@code reply=true}. */
    record Ping(long seq, boolean reply) implements TestPortMessage {
        public Ping {
            if (seq < 0 || seq > Messages.SEQ_MAX) {
                throw new IllegalArgumentException("seq: must be 0–" + Messages.SEQ_MAX + ", was " + seq);
            }
        }

        @Override
        public FrameType frameType() {
            return FrameType.PING;
        }
    }

    enum ButtonAction implements WireName {
        PRESSED("pressed"), RELEASED("released");

        private final String wireName;

        ButtonAction(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }

    enum LedMode implements WireName {
        OFF("off"), ON("on"), BLINK("blink");

        private final String wireName;

        LedMode(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }

    enum LogLevel implements WireName {
        DEBUG("debug"), INFO("info"), WARN("warn"), ERROR("error");

        private final String wireName;

        LogLevel(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }
}
