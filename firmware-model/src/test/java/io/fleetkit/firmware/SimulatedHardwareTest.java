package io.fleetkit.firmware;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import org.junit.jupiter.api.Test;

import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

class SimulatedHardwareTest {
    static final PrivateKey KEY = FirmwareHarness.ISSUER.issueDevice(FirmwareHarness.CA, RegistrationId.of("hw"), KeyAlgorithm.EC_P256)
            .credential().key();
    static final Instant T0 = Instant.parse("2026-11-26T00:00:00Z");

    @Test
    void generatorsFollowTheModel() {
        SimulatedHardware plug = new SimulatedHardware(DeviceModels.builtIn("smart-plug"), KEY, new SplittableRandom(1));
        double previousPower = 60;
        for (int i = 0; i < 200; i++) {
            Map<String, Reading> r = plug.readSensors(T0.plus(Duration.ofSeconds(30L * i)));
            double power = ((Reading.Num) r.get("powerWatts")).value();
            assertThat(power).isBetween(0.0, 2300.0);
            assertThat(Math.abs(power - previousPower)).as("a random walk moves at most one step").isLessThanOrEqualTo(25.01);
            previousPower = power;
            assertThat(((Reading.Num) r.get("energyWh")).value()).isEqualTo(0.5 * i);
            assertThat(((Reading.Num) r.get("voltage")).value()).isBetween(226.0, 234.0);
            assertThat(r.get("relayOn")).isEqualTo(Reading.of(true));
            assertThat(r.get("mode")).isEqualTo(Reading.of("schedule"));
        }
        SimulatedHardware thermostat = new SimulatedHardware(DeviceModels.builtIn("thermostat"), KEY, new SplittableRandom(1));
        double battery = ((Reading.Num) thermostat.readSensors(T0).get("batteryPercent")).value();
        assertThat(battery).as("integer fields are whole").isEqualTo(Math.rint(battery));
    }

    @Test
    void theSameSeedReadsTheSame() {
        SimulatedHardware a = new SimulatedHardware(DeviceModels.builtIn("thermostat"), KEY, new SplittableRandom(5));
        SimulatedHardware b = new SimulatedHardware(DeviceModels.builtIn("thermostat"), KEY, new SplittableRandom(5));
        for (int i = 0; i < 20; i++) {
            assertThat(a.readSensors(T0.plusSeconds(i))).isEqualTo(b.readSensors(T0.plusSeconds(i)));
        }
    }
}
