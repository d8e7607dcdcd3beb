package io.fleetkit.protocol.dps;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.protocol.FuzzChecks;

/**
 * The DPS bodies against any bytes (Jazzer): the register request the service reads from any client, and the operation and
 * error answers a device reads from any service, each decode to a fixed point or are refused with a
 * {@link io.fleetkit.protocol.ProtocolException}. Seeds: the spec's DPS vectors ({@code DpsCodecFuzzTestInputs/}).
 */
class DpsCodecFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void registerRequests(FuzzedDataProvider data) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsBytes(), DpsCodecs.REGISTER_REQUEST::fromJson, DpsCodecs.REGISTER_REQUEST::toJson);
    }

    @FuzzTest(maxDuration = "60s")
    void operations(FuzzedDataProvider data) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsBytes(), DpsCodecs.OPERATION::fromJson, DpsCodecs.OPERATION::toJson);
    }

    @FuzzTest(maxDuration = "60s")
    void errors(FuzzedDataProvider data) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsBytes(), DpsCodecs.ERROR::fromJson, DpsCodecs.ERROR::toJson);
    }
}
