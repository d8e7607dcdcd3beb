package io.fleetkit.protocol.message;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.protocol.FuzzChecks;
import io.fleetkit.protocol.ProtocolException;

/**
 * The device message codecs against any bytes (Jazzer): JSON and CBOR either decode or refuse with a
 * {@link ProtocolException}, and what decodes is a fixed point — encoded again and decoded, it is the same message.
 * Seeds: the spec's device-message vectors ({@code CodecFuzzTestInputs/}).
 */
class CodecFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void json(FuzzedDataProvider data) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsBytes(), DeviceMessageCodec.CODEC::fromJson, DeviceMessageCodec.CODEC::toJson);
    }

    @FuzzTest(maxDuration = "60s")
    void cbor(FuzzedDataProvider data) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsBytes(), DeviceMessageCodec.CODEC::fromCbor, DeviceMessageCodec.CODEC::toCbor);
    }

    @org.junit.jupiter.api.Test
    void anEscapedLoneSurrogateInJsonIsRefusedNamingWhere() {
        byte[] json = ("{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\","
                + "\"readings\":{\"t\":\"\\udc7a\"}}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> DeviceMessageCodec.CODEC.fromJson(json))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("$.readings.t").hasMessageContaining("surrogate");
    }
}
