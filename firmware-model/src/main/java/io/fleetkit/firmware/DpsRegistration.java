package io.fleetkit.firmware;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.dps.DpsCodecs;
import io.fleetkit.protocol.dps.RegisterRequest;
import io.fleetkit.protocol.dps.RegistrationOperation;
import io.fleetkit.protocol.dps.RegistrationStatus;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.mqtt.DpsOperationStatusTopic;
import io.fleetkit.protocol.mqtt.DpsRegisterTopic;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;

/**
 * One registration with DPS over MQTT, sans-IO: which request to publish next, and what each answer means. It owns no
 * connection, timer or clock; the caller publishes, waits and reconnects — the firmware with its actions and timers, the
 * HIL bridge with a blocking client — so the protocol's decisions are made in this one place
 * (https://learn.microsoft.com/azure/iot-dps/iot-dps-mqtt-support): register on
 * {@code $dps/registrations/PUT/iotdps-register/?$rid=}, poll the operation on
 * {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid=&operationId=} after its {@code retry-after} (2 s when the
 * answer names none) while it is assigning, back off on 429, stop on any refusal.
 *
 * <p>Not thread-safe: one caller at a time. A new connection to DPS starts a new registration.
 */
public final class DpsRegistration {
    /** When DPS names no retry-after. */
    static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(2);

    /** What to publish: a register or an operation-status request. */
    public record Request(String topic, byte[] body) {
    }

    /** What an answer means for the caller. */
    public sealed interface Outcome {
        /** An answer to an earlier request (or one already answered): nothing to do. */
        record Stale() implements Outcome {
        }

        /** Still assigning: publish {@link #next()} after {@code retryAfter}. */
        record Pending(Duration retryAfter) implements Outcome {
        }

        /** DPS is throttling (429): publish {@link #next()} again after at least {@code retryAfter}. */
        record Throttled(Duration retryAfter) implements Outcome {
        }

        /** Assigned to {@code hub}, as the device id {@code deviceId}: the registration is done. */
        record Assigned(String hub, String deviceId) implements Outcome {
        }

        /** Refused or failed for this connection ({@code reason} names the status and DPS's message): start over later. */
        record Refused(int status, String reason) implements Outcome {
        }
    }

    private final RegistrationId registrationId;
    private long requestId;
    private OperationId operationId;

    public DpsRegistration(RegistrationId registrationId) {
        this.registrationId = Objects.requireNonNull(registrationId, "registrationId");
    }

    /** Whether DPS has named an operation to poll (after its first 202). */
    public boolean hasOperation() {
        return operationId != null;
    }

    /** The next request: a registration until DPS names its operation, then a poll of that operation. */
    public Request next() {
        requestId++;
        RequestId rid = RequestId.of(requestId);
        if (operationId == null) {
            return new Request(new DpsRegisterTopic(rid).format(), DpsCodecs.REGISTER_REQUEST.toJson(RegisterRequest.of(registrationId)));
        }
        return new Request(new DpsOperationStatusTopic(rid, operationId).format(), new byte[0]);
    }

    /** What DPS's answer on {@code topic} means; answers to any but the latest request are {@link Outcome.Stale}. */
    public Outcome answer(DpsResponseTopic topic, byte[] payload) {
        if (requestId == 0 || !topic.requestId().equals(RequestId.of(requestId))) {
            return new Outcome.Stale();
        }
        Duration retryAfter = topic.retryAfterSeconds().isPresent() ? Duration.ofSeconds(topic.retryAfterSeconds().getAsInt())
                : DEFAULT_RETRY_AFTER;
        if (topic.status() == 429) {
            return new Outcome.Throttled(retryAfter);
        }
        if (topic.status() != 200 && topic.status() != 202) {
            return new Outcome.Refused(topic.status(), "DPS refused the registration: " + topic.status() + " "
                    + new String(payload, StandardCharsets.UTF_8));
        }
        RegistrationOperation op;
        try {
            op = DpsCodecs.OPERATION.fromJson(payload);
        } catch (ProtocolException e) {
            return new Outcome.Refused(topic.status(), "DPS answered what is not a registration operation: " + e.getMessage());
        }
        operationId = op.operationId();
        if (op.status() == RegistrationStatus.ASSIGNED) {
            var state = op.registrationState();
            var hub = state.flatMap(s -> s.assignedHub());
            if (hub.isEmpty()) {
                return new Outcome.Refused(topic.status(), "DPS assigned no hub");
            }
            return new Outcome.Assigned(hub.get(), state.flatMap(s -> s.deviceId()).map(d -> d.value()).orElse(registrationId.value()));
        }
        if (op.status() == RegistrationStatus.ASSIGNING || op.status() == RegistrationStatus.UNASSIGNED) {
            return new Outcome.Pending(retryAfter);
        }
        return new Outcome.Refused(topic.status(), "DPS registration ended " + op.status());
    }
}
