package io.fleetkit.firmware;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.message.LifecycleEvent.ResetReason;
import io.fleetkit.protocol.method.MethodContracts;
import io.fleetkit.protocol.method.MethodError;
import io.fleetkit.protocol.method.MethodRequest;
import io.fleetkit.protocol.method.MethodResponse;
import io.fleetkit.protocol.method.ReferenceMethod;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.model.ModelMethod;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * The reference firmware's answers to direct methods, without side effects: it decides the
 * status and payload and names what the firmware must then do ({@link Effect}). Pure, so each
 * method is tested on its own.
 */
final class MethodResponder {

    /** What the firmware does after answering. */
    sealed interface Effect {
        record None() implements Effect {
        }

        record Reboot(Duration delay) implements Effect {
        }

        record FactoryReset(Duration delay) implements Effect {
        }

        record SetTelemetryInterval(int seconds) implements Effect {
        }

        record Identify(Duration duration) implements Effect {
        }

        record StartClaim(String nonce, Duration window) implements Effect {
        }
    }

    /** The answer: status, JSON payload, then the effect. */
    record Outcome(int status, byte[] payload, Effect effect) {
    }

    /** What getDiagnostics reports; supplied by the firmware at the time of the call. */
    record Diagnostics(String firmwareVersion, String modelId, long uptimeSeconds, long freeHeapBytes, int rssiDbm,
                       ResetReason lastResetReason, int telemetryIntervalSeconds, long messagesSent) {
    }

    private static final Effect NONE = new Effect.None();
    private final DeviceModel model;

    MethodResponder(DeviceModel model) {
        this.model = model;
    }

    Outcome answer(MethodName name, byte[] payload, int currentInterval, Diagnostics diagnostics) {
        Optional<ModelMethod> supported = model.method(name);
        if (supported.isEmpty()) {
            return error(MethodError.Code.UNKNOWN_METHOD, "the " + model.id() + " has no method '" + name.value() + "'");
        }
        Optional<ReferenceMethod> reference = supported.get().reference();
        if (reference.isEmpty()) {
            ModelMethod.FixedResponse fixed = supported.get().response().orElseThrow();
            byte[] body = fixed.payload().map(JsonNode::toString).orElse("null").getBytes(StandardCharsets.UTF_8);
            return new Outcome(fixed.status(), body, NONE);
        }
        MethodRequest request;
        try {
            request = MethodContracts.decodeRequest(reference.get(), payload);
        } catch (ProtocolException e) {
            return error(MethodError.Code.INVALID_REQUEST, e.getMessage());
        }
        var contract = MethodContracts.of(reference.get());
        if (request instanceof MethodRequest.Reboot r) {
            return ok(contract, new MethodResponse.Reboot(r.delaySeconds()), new Effect.Reboot(Duration.ofSeconds(r.delaySeconds())));
        }
        if (request instanceof MethodRequest.SetTelemetryInterval s) {
            return ok(contract, new MethodResponse.SetTelemetryInterval(s.intervalSeconds(), currentInterval),
                    new Effect.SetTelemetryInterval(s.intervalSeconds()));
        }
        if (request instanceof MethodRequest.Identify i) {
            return ok(contract, new MethodResponse.Identify(i.durationSeconds()), new Effect.Identify(Duration.ofSeconds(i.durationSeconds())));
        }
        if (request instanceof MethodRequest.StartClaim c) {
            return ok(contract, new MethodResponse.StartClaim(c.windowSeconds()),
                    new Effect.StartClaim(c.nonce(), Duration.ofSeconds(c.windowSeconds())));
        }
        if (request instanceof MethodRequest.FactoryReset) {
            return ok(contract, new MethodResponse.FactoryReset(1), new Effect.FactoryReset(Duration.ofSeconds(1)));
        }
        Diagnostics d = diagnostics;
        return ok(contract, new MethodResponse.GetDiagnostics(d.firmwareVersion(), d.modelId(), d.uptimeSeconds(), d.freeHeapBytes(),
                d.rssiDbm(), d.lastResetReason(), d.telemetryIntervalSeconds(), d.messagesSent()), NONE);
    }

    private static Outcome ok(MethodContracts.Contract contract, MethodResponse response, Effect effect) {
        return new Outcome(200, contract.response().toJson(response), effect);
    }

    static Outcome error(MethodError.Code code, String message) {
        String m = message.length() > 1000 ? message.substring(0, 1000) : message;
        return new Outcome(code.status(), MethodContracts.ERROR_CODEC.toJson(new MethodError(code, m)), NONE);
    }
}
