package io.fleetkit.backend.dps;

import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.registry.DeviceRegistry;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.backend.throttle.Throttles;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.dps.DpsCodecs;
import io.fleetkit.protocol.dps.RegisterRequest;
import io.fleetkit.protocol.dps.RegistrationOperation;
import io.fleetkit.protocol.dps.RegistrationState;
import io.fleetkit.protocol.dps.Substatus;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RegistrationId;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Device Provisioning Service, without the wire: register and poll requests in, replies
 * out. The gateway calls it off the event loop (attestation validates signatures).
 *
 * <p>A register request is checked (body, registration id, certificate, enrollment), assigned to a linked hub by the
 * enrollment's {@link AllocationPolicy} — at once for the built-in policies, when its webhook answers for a custom one — and
 * answered 202 {@code assigning} with an operation id; a poll answers 202 while the webhook decides, then 200 with the
 * registration state (assigned, or failed with the webhook's reason). Registering again returns the same assignment
 * ({@code reprovisionedToInitialAssignment}). Registering creates the device in the registry. Thread-safe.
 */
public final class DpsService {
    /** How long a finished operation can still be polled. */
    static final Duration OPERATION_TTL = Duration.ofMinutes(10);

    private final IdScope idScope;
    private final HubAllocation allocation;
    private final Enrollments enrollments;
    private final DeviceRegistry registry;
    private final Clock clock;
    private final int retryAfterSeconds;
    private final Throttles throttles;
    private final SecureRandom random = new SecureRandom();
    private final Map<RegistrationId, RegistrationState> registrations = new ConcurrentHashMap<>();
    private final Map<OperationId, PendingOperation> operations = new ConcurrentHashMap<>();

    /** The most recent registrations, newest last; the dashboard's provisioning page. */
    private final java.util.Deque<RegistrationState> recent = new java.util.ArrayDeque<>(); // guarded by itself
    private static final int RECENT = 50;

    /** An operation: its state once known (null while a custom allocation webhook is deciding). */
    private record PendingOperation(RegistrationId registrationId, RegistrationState state, Instant expires) {
    }

    private final CustomAllocationWebhook webhook = new CustomAllocationWebhook();
    private volatile Twins initialTwins;

    /**
     * @param retryAfterSeconds what 202 answers tell devices to wait before polling (the Azure
     *                          SDK clamps values outside 2–5 to 2)
     */
    public DpsService(IdScope idScope, HubAllocation allocation, Enrollments enrollments, DeviceRegistry registry,
                      Clock clock, int retryAfterSeconds) {
        this(idScope, allocation, enrollments, registry, clock, retryAfterSeconds, new Throttles(ThrottleProfile.OFF));
    }

    /** @param throttles DPS answers 429 with retry-after when its limits are exceeded */
    public DpsService(IdScope idScope, HubAllocation allocation, Enrollments enrollments, DeviceRegistry registry,
                      Clock clock, int retryAfterSeconds, Throttles throttles) {
        this.idScope = Objects.requireNonNull(idScope, "idScope");
        this.allocation = Objects.requireNonNull(allocation, "allocation");
        this.enrollments = Objects.requireNonNull(enrollments, "enrollments");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.retryAfterSeconds = retryAfterSeconds;
        this.throttles = Objects.requireNonNull(throttles, "throttles");
    }

    public IdScope idScope() {
        return idScope;
    }

    public Enrollments enrollments() {
        return enrollments;
    }

    public Throttles throttles() {
        return throttles;
    }

    /** Where a custom allocation's initial twin (its desired properties) goes: the hub's twins. Unset: it is not applied. */
    public void initialTwins(Twins twins) {
        this.initialTwins = twins;
    }

    /** The linked hubs, in the order given. */
    public List<HubHostName> linkedHubs() {
        return allocation.hubs();
    }

    /** The last (at most 50) accepted registrations, newest first. */
    public List<RegistrationState> recentRegistrations() {
        synchronized (recent) {
            List<RegistrationState> out = new java.util.ArrayList<>(recent);
            java.util.Collections.reverse(out);
            return out;
        }
    }

    /**
     * Handles {@code $dps/registrations/PUT/iotdps-register/}.
     *
     * @param connectedAs the registration id of the connection's username
     * @param chain       the client certificate chain of the TLS session, leaf first
     */
    public DpsReply register(RegistrationId connectedAs, List<X509Certificate> chain, byte[] body) {
        Instant now = clock.instant();
        if (throttles.dpsRegister() instanceof Throttles.Verdict.Refuse r) {
            return throttled(r, now);
        }
        RegisterRequest request;
        try {
            request = DpsCodecs.REGISTER_REQUEST.fromJson(body);
        } catch (ProtocolException e) {
            return DpsErrors.BAD_BODY.reply(e.getMessage(), now);
        }
        if (!request.registrationId().equals(connectedAs)) {
            return DpsErrors.REGISTRATION_ID_MISMATCH.reply("the body's registrationId '" + request.registrationId()
                    + "' differs from the connection's '" + connectedAs + "'", now);
        }
        Attestation attestation = enrollments.attest(chain, now);
        if (attestation instanceof Attestation.Refused r) {
            return (r.reason() == Attestation.Reason.DISABLED_ENROLLMENT ? DpsErrors.ENROLLMENT_DISABLED : DpsErrors.UNAUTHORIZED)
                    .reply(r.detail(), now);
        }
        Attestation.Accepted accepted = (Attestation.Accepted) attestation;
        if (!accepted.commonName().equals(connectedAs.value())) {
            return DpsErrors.CN_MISMATCH.reply("the certificate CN '" + accepted.commonName()
                    + "' does not match the registration id '" + connectedAs + "'", now);
        }
        RegistrationState previous = registrations.get(connectedAs);
        AllocationPolicy policy = accepted.enrollment().allocation();
        OperationId op = newOperationId();
        evictExpired(now);
        if (previous == null && policy instanceof AllocationPolicy.Custom custom) {
            operations.put(op, new PendingOperation(connectedAs, null, now.plus(OPERATION_TTL))); // before the webhook can answer
            var deciding = webhook.allocate(custom, accepted.enrollment(), connectedAs, null, allocation.hubs());
            if (deciding.isEmpty()) {
                operations.remove(op);
                return DpsErrors.THROTTLED.reply("Operations are being throttled: " + CustomAllocationWebhook.MAX_IN_FLIGHT
                        + " custom allocations are waiting for their webhook", now, OptionalInt.of(retryAfterSeconds));
            }
            deciding.get().thenAccept(outcome -> operations.put(op, new PendingOperation(connectedAs,
                    decided(connectedAs, accepted, outcome, clock.instant()), clock.instant().plus(OPERATION_TTL))));
        } else {
            RegistrationState state = assign(connectedAs, accepted, previous == null ? hubFor(connectedAs, policy) : null, now);
            operations.put(op, new PendingOperation(connectedAs, state, now.plus(OPERATION_TTL)));
        }
        return new DpsReply(202, DpsCodecs.OPERATION.toJson(RegistrationOperation.assigning(op)), OptionalInt.of(retryAfterSeconds));
    }

    /** The hub of a built-in policy: the hash over the linked hubs, or the enrollment's static hub. */
    private HubHostName hubFor(RegistrationId id, AllocationPolicy policy) {
        return policy instanceof AllocationPolicy.Static s ? s.hub() : allocation.hubFor(id);
    }

    /** The state a webhook's outcome gives: assigned to its hub (with its initial desired properties), or failed. */
    private RegistrationState decided(RegistrationId id, Attestation.Accepted accepted, CustomAllocationWebhook.Outcome outcome, Instant now) {
        if (outcome instanceof CustomAllocationWebhook.Outcome.Assigned a) {
            RegistrationState state = assign(id, accepted, a.hub(), now);
            Twins twins = initialTwins;
            if (twins != null && !a.initialDesired().isEmpty()) {
                twins.patchDesired(id.toDeviceId(), a.initialDesired());
            }
            return state;
        }
        String message = ((CustomAllocationWebhook.Outcome.Failed) outcome).message();
        return RegistrationState.failed(id, CustomAllocationWebhook.FAILED, message, now);
    }

    /**
     * Records the registration: to {@code hub} the first time, to its earlier hub again after that
     * ({@code reprovisionedToInitialAssignment}, hub null); creates the device in the registry.
     */
    private RegistrationState assign(RegistrationId connectedAs, Attestation.Accepted accepted, HubHostName hub, Instant now) {
        RegistrationState state = registrations.compute(connectedAs, (id, previous) -> previous == null || previous.assignedHub().isEmpty()
                ? RegistrationState.assigned(id, (hub != null ? hub : allocation.hubFor(id)).value(), id.toDeviceId(), Substatus.INITIAL_ASSIGNMENT,
                        now, now, etag(1))
                : RegistrationState.assigned(id, previous.assignedHub().orElseThrow(), previous.deviceId().orElseThrow(),
                        Substatus.REPROVISIONED_TO_INITIAL_ASSIGNMENT, previous.createdDateTimeUtc().orElse(now), now,
                        etag(version(previous) + 1)));
        registry.createIfAbsent(state.deviceId().orElseThrow(), accepted.authentication(), now);
        synchronized (recent) {
            if (recent.size() == RECENT) {
                recent.removeFirst();
            }
            recent.addLast(state);
        }
        return state;
    }

    /** Handles {@code $dps/registrations/GET/iotdps-get-operationstatus/?operationId=…}. */
    public DpsReply poll(RegistrationId connectedAs, OperationId operationId) {
        Instant now = clock.instant();
        if (throttles.dpsPoll(connectedAs.value()) instanceof Throttles.Verdict.Refuse r) {
            return throttled(r, now);
        }
        PendingOperation op = operations.get(operationId);
        if (op == null || !op.registrationId().equals(connectedAs) || op.expires().isBefore(now)) {
            return DpsErrors.OPERATION_NOT_FOUND.reply("no registration operation '" + operationId + "' for '" + connectedAs + "'", now);
        }
        if (op.state() == null) { // a custom allocation's webhook has not answered yet
            return new DpsReply(202, DpsCodecs.OPERATION.toJson(RegistrationOperation.assigning(operationId)), OptionalInt.of(retryAfterSeconds));
        }
        return new DpsReply(200, DpsCodecs.OPERATION.toJson(RegistrationOperation.done(operationId, op.state())), OptionalInt.empty());
    }

    /** The current registration of a device, if it registered. */
    public java.util.Optional<RegistrationState> registration(RegistrationId id) {
        return java.util.Optional.ofNullable(registrations.get(id));
    }

    private static DpsReply throttled(Throttles.Verdict.Refuse r, Instant now) {
        int seconds = (int) Math.max(1, Math.min(60, Math.ceil(r.retryAfterNanos() / 1e9)));
        return DpsErrors.THROTTLED.reply("Operations are being throttled: retry after " + seconds + " s", now, OptionalInt.of(seconds));
    }

    private OperationId newOperationId() {
        byte[] b = new byte[12];
        random.nextBytes(b);
        return OperationId.of("4." + HexFormat.of().formatHex(b, 0, 8) + "." + HexFormat.of().formatHex(b, 8, 12));
    }

    private void evictExpired(Instant now) {
        if (operations.size() % 1024 == 0) {
            operations.values().removeIf(o -> o.expires().isBefore(now));
        }
    }

    private static String etag(long version) {
        return "\"" + String.format("%08x", version) + "\"";
    }

    private static long version(RegistrationState s) {
        return s.etag().map(e -> Long.parseLong(e.replace("\"", ""), 16)).orElse(0L);
    }
}
