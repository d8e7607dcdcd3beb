package io.fleetkit.protocol.message;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The other direction of the codec fuzz targets (which decode any bytes): any message the records let a device build is one
 * the codec writes and reads back equal, in JSON and in CBOR — else firmware on this library would send what the hub's
 * processors skip as invalid. This property found a boot with model id {@code dtmi:…;1} built, sent and refused.
 */
class MessagePropertiesTest {
    /** Text from a mix of the characters the patterns allow and those they do not, short and past the limits. */
    @Provide
    Arbitrary<String> texts() {
        return Arbitraries.strings().withChars("aZ09-_.+:; é/").ofMinLength(0).ofMaxLength(70);
    }

    @Provide
    Arbitrary<Instant> times() {
        return Arbitraries.longs().between(0, 4_102_444_800_000L).map(Instant::ofEpochMilli);
    }

    @Property(tries = 400)
    void aBootBuiltIsABootRead(@ForAll("texts") String firmware, @ForAll("texts") String model, @ForAll("times") Instant ts,
                               @ForAll @LongRange(max = Messages.SEQ_MAX) long seq) {
        roundTripsIfBuilt(() -> new Lifecycle(seq, ts, new LifecycleEvent.Boot(firmware, model, LifecycleEvent.ResetReason.WATCHDOG)));
        roundTripsIfBuilt(() -> new Lifecycle(seq, ts, new LifecycleEvent.FirmwareUpdate(firmware, LifecycleEvent.UpdateState.DOWNLOADING, 50)));
    }

    @Property(tries = 400)
    void anAlertBuiltIsAnAlertRead(@ForAll("texts") String code, @ForAll("texts") String detail, @ForAll("times") Instant ts) {
        roundTripsIfBuilt(() -> new Alert(1, ts, code, Alert.Severity.WARNING, detail));
    }

    @Property(tries = 400)
    void telemetryBuiltIsTelemetryRead(@ForAll("texts") String name, @ForAll("texts") String text, @ForAll double number,
                                       @ForAll("times") Instant ts) {
        Map<String, Reading> readings = new LinkedHashMap<>();
        readings.put(name, Reading.of(number));
        readings.put(name + "x", Reading.of(text));
        readings.put(name + "b", Reading.of(number > 0));
        roundTripsIfBuilt(() -> new Telemetry(7, ts, readings));
    }

    /** If the records build the message, the device-message codec reads back what it wrote, in both encodings. */
    static void roundTripsIfBuilt(Supplier<DeviceMessage> build) {
        DeviceMessage m;
        try {
            m = build.get();
        } catch (IllegalArgumentException refused) {
            return; // the records refused it: nothing is sent
        }
        assertThat(DeviceMessageCodec.CODEC.fromJson(DeviceMessageCodec.CODEC.toJson(m))).as("JSON").isEqualTo(m);
        assertThat(DeviceMessageCodec.CODEC.fromCbor(DeviceMessageCodec.CODEC.toCbor(m))).as("CBOR").isEqualTo(m);
    }
}
