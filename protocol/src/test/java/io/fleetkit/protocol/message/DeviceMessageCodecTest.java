package io.fleetkit.protocol.message;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.message.LifecycleEvent.Boot;
import io.fleetkit.protocol.message.LifecycleEvent.FirmwareUpdate;
import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import io.fleetkit.protocol.message.LifecycleEvent.UpdateState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static io.fleetkit.protocol.message.DeviceMessageCodec.CODEC;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DeviceMessageCodecTest {
    static final Instant TS = Instant.parse("2026-11-26T09:30:00Z");

    static List<DeviceMessage> samples() {
        Map<String, Reading> readings = new LinkedHashMap<>();
        readings.put("temperature", Reading.of(21.5));
        readings.put("humidity", Reading.of(40));
        readings.put("heating", Reading.of(true));
        readings.put("mode", Reading.of("eco"));
        return List.of(
                new Telemetry(42, TS, readings),
                new Lifecycle(0, TS, new Boot("1.4.2", "thermostat", ResetReason.POWER_ON)),
                new Lifecycle(7, TS, new FirmwareUpdate("1.5.0", UpdateState.DOWNLOADING, 40)),
                new Alert(8, TS, "overTemperature", Alert.Severity.CRITICAL, "sensor 1 above 80 °C"),
                new Presence(9, TS, "n0nce-0123456789ab", new byte[]{1, 2, 3}));
    }

    @Test
    void jsonIsCompactAndInDeclaredOrder() {
        assertThat(new String(CODEC.toJson(samples().get(0)), StandardCharsets.UTF_8)).isEqualTo(
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":42,\"ts\":\"2026-11-26T09:30:00Z\","
                        + "\"readings\":{\"temperature\":21.5,\"humidity\":40,\"heating\":true,\"mode\":\"eco\"}}");
        assertThat(new String(CODEC.toJson(samples().get(1)), StandardCharsets.UTF_8)).isEqualTo(
                "{\"v\":1,\"type\":\"lifecycle\",\"seq\":0,\"ts\":\"2026-11-26T09:30:00Z\",\"event\":\"boot\","
                        + "\"firmwareVersion\":\"1.4.2\",\"modelId\":\"thermostat\",\"resetReason\":\"powerOn\"}");
        assertThat(new String(CODEC.toJson(samples().get(4)), StandardCharsets.UTF_8)).contains("\"signature\":\"AQID\"");
    }

    @Test
    void readingsJsonIsTheReadingsObjectOfTheMessagesJson() {
        Telemetry t = (Telemetry) samples().get(0);
        assertThat(DeviceMessageCodec.readingsJson(t))
                .isEqualTo("{\"temperature\":21.5,\"humidity\":40,\"heating\":true,\"mode\":\"eco\"}")
                .isEqualTo(CODEC.toTree(t).get("readings").toString());
        Telemetry decoded = (Telemetry) CODEC.fromJson(("{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\","
                + "\"readings\":{ \"t\" : 2.50e1, \"n\":-0, \"s\":\"caf\\u00e9\"}}").getBytes(StandardCharsets.UTF_8));
        assertThat(DeviceMessageCodec.readingsJson(decoded)).isEqualTo(CODEC.toTree(decoded).get("readings").toString());
    }

    @Test
    void readingNamesAreCheckedWhetherTheMapCameFromTheDecoderOrNot() {
        assertThatThrownBy(() -> new Telemetry(1, TS, Map.of("1st", Reading.of(1)))).hasMessageContaining("does not match");
        String longName = "n".repeat(Messages.NAME_MAX + 1);
        assertThatThrownBy(() -> CODEC.fromJson(("{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\","
                + "\"readings\":{\"" + longName + "\":1}}").getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("1–" + Messages.NAME_MAX + " characters");
    }

    @Test
    void everyMessageRoundTripsThroughJsonAndCbor() {
        for (DeviceMessage m : samples()) {
            assertThat(CODEC.fromJson(CODEC.toJson(m))).isEqualTo(m);
            assertThat(CODEC.fromCbor(CODEC.toCbor(m))).isEqualTo(m);
        }
    }

    @Test
    void cborUsesDefiniteLengthsAndByteStrings() {
        byte[] cbor = CODEC.toCbor(samples().get(4));
        String hex = HexFormat.of().formatHex(cbor);
        assertThat(hex).startsWith("a6"); // a map of 6 pairs, not an indefinite-length map (bf)
        assertThat(hex).contains("43010203"); // signature as a 3-byte byte string
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\"} | invalid JSON document at $: missing required member 'readings'",
            "{\"v\":2,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1}} | at $.v: expected 1, found 2",
            "{\"v\":1,\"type\":\"weather\"} | at $.type: expected one of telemetry, lifecycle, alert, presence, found \"weather\"",
            "{\"v\":1,\"seq\":1} | at $: missing required member 'type'",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":-1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1}} | at $.seq: expected an integer from 0 to 9007199254740991, found -1",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1.5,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1}} | at $.seq: expected an integer, found a number",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"yesterday\",\"readings\":{\"t\":1}} | at $.ts: 'yesterday' is not an ISO-8601 UTC timestamp",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":[1]}} | at $.readings.t: expected a number, boolean or string, found an array",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"1t\":1}} | at $.readings['1t']: name '1t' does not match",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{}} | at $.readings: expected 1 to 64 entries, found 0",
            "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1},\"extra\":0} | at $.extra: unknown member 'extra'",
            "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"code\":\"x\",\"severity\":\"panic\",\"detail\":\"\"} | at $.severity: 'panic' is not one of info, warning, critical",
            "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"code\":null,\"severity\":\"info\",\"detail\":\"\"} | at $.code: expected a value, found null",
            "{\"v\":1,\"type\":\"lifecycle\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"event\":\"reboot\"} | at $.event: expected one of boot, firmwareUpdate",
            "{\"v\":1,\"type\":\"presence\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"nonce\":\"n0nce-0123456789ab\",\"signature\":\"@@\"} | at $.signature: not valid base64",
            "{\"v\":1,\"v\":1} | invalid JSON document at line 1, column 11: Duplicate field 'v'",
            "{\"v\":1,  | invalid JSON document at line 1, column 8: Unexpected end-of-input",
            "{\"v\":1} {} | invalid JSON document at line 1, column 9: unexpected data after the end of the document",
            "[1,2] | invalid JSON document at $: expected an object, found an array",
    })
    void malformedJsonIsRejectedWithPathAndReason(String json, String expected) {
        assertThatThrownBy(() -> CODEC.fromJson(json.strip().getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining(expected.strip());
    }

    @Test
    void sizeLimitsAndEmptyInput() {
        assertThatThrownBy(() -> CODEC.fromJson(new byte[0])).hasMessage("invalid JSON document: empty document; expected a device message");
        assertThatThrownBy(() -> CODEC.fromJson(new byte[256 * 1024 + 1]))
                .hasMessage("invalid JSON document: a device message is 262145 bytes long; at most 262144 are allowed");
        Map<String, Reading> big = new LinkedHashMap<>();
        for (int i = 0; i < 64; i++) {
            big.put("f" + i, Reading.of("x".repeat(256)));
        }
        assertThat(CODEC.toJson(new Telemetry(1, TS, big)).length).isLessThan(256 * 1024);
    }

    @Test
    void invalidUtf8IsRejected() {
        byte[] json = "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"ab\"}"
                .getBytes(StandardCharsets.UTF_8);
        int at = new String(json, StandardCharsets.UTF_8).indexOf("ab");
        json[at] = (byte) 0xC3; // a lead byte followed by an ASCII 'b': not UTF-8
        assertThatThrownBy(() -> CODEC.fromJson(json))
                .isInstanceOf(ProtocolException.class)
                .hasMessageContaining("invalid JSON document at line 1, column")
                .hasMessageContaining("UTF-8");
    }

    @Test
    void malformedCborIsRejectedWithOffset() {
        byte[] good = CODEC.toCbor(samples().get(0));
        byte[] truncated = java.util.Arrays.copyOf(good, good.length - 3);
        assertThatThrownBy(() -> CODEC.fromCbor(truncated))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid CBOR document at byte ");
        assertThatThrownBy(() -> CODEC.fromCbor(HexFormat.of().parseHex("a1617601")))
                .hasMessage("invalid CBOR document at $: missing required member 'type' (one of telemetry, lifecycle, alert, presence)");
        assertThatThrownBy(() -> CODEC.fromCbor(HexFormat.of().parseHex("ff")))
                .hasMessageStartingWith("invalid CBOR document at byte ");
    }
}
