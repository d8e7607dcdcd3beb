package io.fleetkit.hil;

import io.fleetkit.testing.ThrowAwayPki;
import io.fleetkit.firmware.MethodOverride;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.hil.conform.ConformanceRun;
import io.fleetkit.hil.conform.Difference;
import io.fleetkit.hil.conform.Report;
import io.fleetkit.hil.conform.Scenario;
import io.fleetkit.hil.device.ModelDevice;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Conformance runs with the firmware model on both sides: an identical device shows no
 * differences; a deliberately different one (another status for a method, a telemetry field
 * missing) shows exactly those.
 */
@Timeout(90)
@ThrowAwayPki.Use
class ConformanceIT {
    private ThrowAwayPki throwAway;

    @org.junit.jupiter.api.BeforeEach
    void throwAwayPki(ThrowAwayPki pki) {
        throwAway = pki;
    }

    static final String SCENARIO = """
            # telemetry flows and the reference methods answer
            expect telemetry within 3s
            invoke identify {"durationSeconds": 1}
            invoke getDiagnostics ignore=/uptimeSeconds,/freeHeapBytes,/rssiDbm,/messagesSent
            invoke setTelemetryInterval {"intervalSeconds": 2}
            invoke noSuchMethod
            expect telemetry within 3s
            """;

    @TempDir
    Path tmp;

    @Test
    void anIdenticalDeviceConforms() throws Exception {
        Report report = run(thermostat(), new MethodOverrides());
        assertThat(report.differences()).as(report.text()).isEmpty();
        assertThat(report.conforms()).isTrue();
        assertThat(report.text()).contains("no differences");
        assertThat(report.json().get("conforms").asBoolean()).isTrue();
    }

    @Test
    void aDifferentDeviceShowsExactlyItsDifferences() throws Exception {
        DeviceModel base = thermostat();
        DeviceModel withoutHumidity = new DeviceModel(base.id(), base.name(), base.firmwareVersion(), base.telemetryInterval(),
                base.telemetry().stream().filter(f -> !f.name().equals("humidity")).toList(), base.methods());
        MethodOverrides overrides = new MethodOverrides();
        overrides.set(MethodName.of("identify"), MethodOverride.fixed(202, "{\"blinkingForSeconds\":1}"));

        Report report = run(withoutHumidity, overrides);
        assertThat(report.differences()).as(report.text()).containsExactlyInAnyOrder(
                new Difference(3, "method-status", "identify", "202", "200"),
                new Difference(0, "schema", "telemetry /readings/humidity", Difference.NOTHING, "number"));
        assertThat(report.conforms()).isFalse();
        assertThat(report.text()).contains("2 differences:", "line 3: method-status identify: device 202, reference 200",
                "run: schema telemetry /readings/humidity: device —, reference number");
        assertThat(report.json().get("differences")).hasSize(2);
    }

    private Report run(DeviceModel deviceModel, MethodOverrides deviceOverrides) throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = throwAway.directory();
        DeviceIdentity id = issuer.issueDevice(pki.intermediate(), RegistrationId.of("conform-001"), KeyAlgorithm.EC_P256);
        TcpServerPort devicePort = new TcpServerPort(0);
        TcpServerPort referencePort = new TcpServerPort(0);
        try (ModelDevice device = new ModelDevice(id.registrationId(), id.credential().key(), deviceModel, devicePort, deviceOverrides, 2).start();
             ModelDevice reference = new ModelDevice(id.registrationId(), id.credential().key(), thermostat(), referencePort,
                     new MethodOverrides(), 2).start()) {
            return ConformanceRun.run(Scenario.parse("basic.scenario", SCENARIO), new TcpClientPort("127.0.0.1", devicePort.port()),
                    new TcpClientPort("127.0.0.1", referencePort.port()), ConformanceRun.Options.DEFAULT);
        }
    }

    private static DeviceModel thermostat() {
        DeviceModel base = DeviceModels.builtIn("thermostat");
        return new DeviceModel(base.id(), base.name(), base.firmwareVersion(), Duration.ofSeconds(2), base.telemetry(), base.methods());
    }
}
