package io.fleetkit.protocol.codec;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Messages;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What a firmware author reads when a document is refused before its fields are even looked at: size, emptiness, syntax, text. */
class MessageCodecErrorsTest {
    private static final MessageCodec<DeviceMessage> CODEC = DeviceMessageCodec.CODEC;
    private static final String TELEMETRY = "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":21.5}}";

    private static void refused(String json, String... fragments) {
        assertThatThrownBy(() -> CODEC.fromJson(json.getBytes(StandardCharsets.UTF_8))).isInstanceOf(ProtocolException.class)
                .message().contains(fragments);
    }

    @Test
    void itsNameAndLimitAreTheDeviceMessages() {
        assertThat(CODEC.maxBytes()).isEqualTo(Messages.DEVICE_TO_CLOUD_MAX_BYTES);
        assertThat(CODEC.name()).isNotBlank();
        assertThat(CODEC.kind()).isNotNull();
    }

    @Test
    void aDocumentAtTheLimitIsReadOnePastItIsRefusedWithBothSizes() {
        int max = CODEC.maxBytes();
        String padded = TELEMETRY + " ".repeat(max - TELEMETRY.length()); // JSON allows trailing whitespace
        assertThat(CODEC.fromJson(padded.getBytes(StandardCharsets.UTF_8))).isNotNull();
        refused(padded + " ", "is " + (max + 1) + " bytes long; at most " + max);
    }

    @Test
    void emptyDocuments() {
        refused("", "empty document");
        refused("   \n", "empty document");
    }

    @Test
    void syntaxErrorsSayWhereWithoutJacksonsConfigurationHints() {
        refused("{\"v\":1,", "line 1, column 8");
        refused(TELEMETRY + " {}", "unexpected data after the end of the document", "line 1");
        assertThatThrownBy(() -> CODEC.fromJson("{\"v\":tru}".getBytes(StandardCharsets.UTF_8)))
                .message().contains("line 1, column").doesNotContain("(for ").doesNotContain("\n");
        assertThatThrownBy(() -> CODEC.fromCbor(new byte[]{(byte) 0xa1, 0x61})).isInstanceOf(ProtocolException.class)
                .message().contains("byte ");
    }

    @Test
    void loneSurrogatesAreRefusedWhereverTheyAre() {
        refused("{\"x\":[\"a\",\"\\udc00\"]}", "$.x[1]");
        // JSON's parser refuses them in member names itself; CBOR's carries them (CESU-8 ED B0 80 is U+DC00) to the check
        assertThatThrownBy(() -> CODEC.fromCbor(new byte[]{(byte) 0xa1, 0x63, (byte) 0xed, (byte) 0xb0, (byte) 0x80, 0x01}))
                .isInstanceOf(ProtocolException.class).message().contains("(member name)");
        refused("{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":\"ab\\ud800\"}}", "$.readings.t");
    }

    @Test
    void aPairedSurrogateIsText() {
        DeviceMessage m = CODEC.fromJson(("{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"code\":\"smoke\","
                + "\"severity\":\"info\",\"detail\":\"\\ud83d\\udd25 fire\"}").getBytes(StandardCharsets.UTF_8));
        assertThat(m.toString()).contains("\uD83D\uDD25 fire");
    }
}
