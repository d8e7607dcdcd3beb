package io.fleetkit.protocol.spec;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.dps.DpsError;
import io.fleetkit.protocol.dps.RegisterRequest;
import io.fleetkit.protocol.dps.RegistrationOperation;
import io.fleetkit.protocol.dps.RegistrationState;
import io.fleetkit.protocol.dps.Substatus;
import io.fleetkit.protocol.message.Alert;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.method.MethodRequest;
import io.fleetkit.protocol.method.MethodResponse;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The example values the golden vectors are made of. Fixed, so regeneration is byte-stable. */
final class SpecSamples {
    static final DeviceId DEVICE = DeviceId.of("dev-001");
    static final Instant TS = Instant.parse("2026-11-26T09:30:00.250Z");
    static final String NONCE = "q3Vx7bT0ZkR1cL9mW2aYpQ";

    /** A named sample. */
    record Named<T>(String name, T value) {
    }

    private SpecSamples() {
    }

    static List<Named<DeviceMessage>> deviceMessages() {
        Map<String, Reading> readings = new LinkedHashMap<>();
        readings.put("temperature", Reading.of(21.5));
        readings.put("humidity", Reading.of(44.8));
        readings.put("targetTemperature", Reading.of(21.5));
        readings.put("heating", Reading.of(false));
        readings.put("batteryPercent", Reading.of(98));
        byte[] signature = DeterministicSigner.sign(Presence.signedContent(DEVICE, NONCE));
        return List.of(
                new Named<>("telemetry", new Telemetry(42, TS, readings)),
                new Named<>("lifecycle-boot", new Lifecycle(0, TS,
                        new LifecycleEvent.Boot("1.4.2", "thermostat", LifecycleEvent.ResetReason.POWER_ON))),
                new Named<>("lifecycle-firmware-update", new Lifecycle(43, TS,
                        new LifecycleEvent.FirmwareUpdate("1.5.0", LifecycleEvent.UpdateState.DOWNLOADING, 40))),
                new Named<>("alert", new Alert(44, TS, "overTemperature", Alert.Severity.CRITICAL, "temperature 31.2 °C above limit 30 °C")),
                new Named<>("presence", new Presence(45, TS, NONCE, signature)));
    }

    static List<MethodRequest> methodRequests() {
        return List.of(new MethodRequest.Reboot(5), new MethodRequest.SetTelemetryInterval(30), new MethodRequest.Identify(10),
                new MethodRequest.GetDiagnostics(), new MethodRequest.StartClaim(NONCE, 60), new MethodRequest.FactoryReset(true));
    }

    static List<MethodResponse> methodResponses() {
        return List.of(new MethodResponse.Reboot(5), new MethodResponse.SetTelemetryInterval(30, 60), new MethodResponse.Identify(10),
                new MethodResponse.GetDiagnostics("1.4.2", "thermostat", 86_400, 121_344, -67,
                        LifecycleEvent.ResetReason.POWER_ON, 60, 1441),
                new MethodResponse.StartClaim(60), new MethodResponse.FactoryReset(1));
    }

    static RegisterRequest registerRequest() {
        return new RegisterRequest(RegistrationId.of("dev-001"), Optional.of("{\"modelId\":\"thermostat\"}"));
    }

    static List<Named<RegistrationOperation>> operations() {
        OperationId op = OperationId.of("4.0a1b2c3d4e5f6a7b.00000000-0000-0000-0000-000000000001");
        return List.of(
                new Named<>("assigning", RegistrationOperation.assigning(op)),
                new Named<>("assigned", RegistrationOperation.done(op, RegistrationState.assigned(RegistrationId.of("dev-001"),
                        "127.0.0.1", DEVICE, Substatus.INITIAL_ASSIGNMENT, TS, TS, "\"00000001\""))),
                new Named<>("failed", RegistrationOperation.done(op, RegistrationState.failed(RegistrationId.of("dev-001"),
                        401002, "the certificate CN 'dev-002' does not match the registration id 'dev-001'", TS))));
    }

    static DpsError throttled() {
        return new DpsError(429001, "00000000-0000-0000-0000-000000000002", "Operations are being throttled", TS);
    }

    static List<Named<TestPortMessage>> testPortMessages() {
        var nodes = JsonNodeFactory.instance;
        return List.of(
                new Named<>("hello", new TestPortMessage.Hello(TestPortMessage.PROTOCOL_VERSION, DEVICE, "1.4.2", "thermostat")),
                new Named<>("telemetry", new TestPortMessage.Message(deviceMessages().get(0).value())),
                new Named<>("event-alert", new TestPortMessage.Message(deviceMessages().get(3).value())),
                new Named<>("method-request", new TestPortMessage.MethodCall(7, MethodName.of("setTelemetryInterval"),
                        Optional.of(nodes.objectNode().put("intervalSeconds", 30)))),
                new Named<>("method-response", new TestPortMessage.MethodResult(7, 200,
                        Optional.of(nodes.objectNode().put("intervalSeconds", 30).put("previousIntervalSeconds", 60)))),
                new Named<>("button", new TestPortMessage.Button(TestPortMessage.ButtonAction.PRESSED)),
                new Named<>("led", new TestPortMessage.Led(TestPortMessage.LedMode.BLINK, "green", 500)),
                new Named<>("log", new TestPortMessage.Log(TestPortMessage.LogLevel.INFO, "mqtt connected")),
                new Named<>("ping", new TestPortMessage.Ping(3, false)));
    }
}
