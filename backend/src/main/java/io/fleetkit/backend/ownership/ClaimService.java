package io.fleetkit.backend.ownership;

import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.store.ClaimStore;
import io.fleetkit.backend.store.ClaimStore.Claim;
import io.fleetkit.backend.store.ClaimStore.Status;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.method.MethodContracts;
import io.fleetkit.protocol.method.MethodRequest;
import io.fleetkit.protocol.method.ReferenceMethod;
import io.fleetkit.protocol.pki.Pem;
import io.fleetkit.protocol.pki.PresenceSignatures;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Ownership by physical proof. A user asks to claim a device → a pending claim with a fresh
 * nonce, and the device is told {@code startClaim} → its button is pressed within the window →
 * it publishes {@code presence} signed with its key → {@link #onPresence} verifies the signature
 * with the certificate the device was connected with when the claim started, and the user
 * becomes the owner. Anything else — no press, a wrong signature, a late presence, a device that
 * refuses {@code startClaim} — decides the claim without granting anything.
 * <p>
 * Methods block on the store; call them off event loops.
 */
public final class ClaimService {
    private static final Logger LOG = LoggerFactory.getLogger(ClaimService.class);
    public static final int DEFAULT_WINDOW_SECONDS = 60;
    /** How long the device may take to answer {@code startClaim}. */
    static final Duration START_TIMEOUT = Duration.ofSeconds(10);
    /**
     * Added to the window the device enforces: its presence still travels through the hub,
     * a stream and a processor after the press.
     */
    static final Duration GRACE = Duration.ofSeconds(10);

    private final DeviceCommands commands;
    private final ClaimStore claims;
    private final DeviceStateStore devices;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    private final AtomicLong unmatchedPresence = new AtomicLong();

    public ClaimService(DeviceCommands commands, ClaimStore claims, DeviceStateStore devices, Clock clock) {
        this.commands = commands;
        this.claims = claims;
        this.devices = devices;
        this.clock = clock;
    }

    /**
     * Starts a claim for {@code userId}. The future completes once the device has answered
     * {@code startClaim}: with the claim PENDING (waiting for the press) or FAILED (the device
     * refused or did not answer).
     *
     * @throws ClaimRefused when the device is not online or another user's claim is pending
     */
    public CompletableFuture<Claim> start(String userId, DeviceId deviceId, int windowSeconds) {
        MethodRequest.StartClaim request = new MethodRequest.StartClaim(newNonce(), windowSeconds); // checks 10–600
        X509Certificate certificate = commands.certificate(deviceId)
                .orElseThrow(() -> ClaimRefused.notOnline(deviceId));
        Instant now = clock.instant();
        for (Claim other : claims.pending(deviceId)) {
            if (!expireIfDue(other, now) && !other.userId().equals(userId)) {
                throw ClaimRefused.pending(deviceId, other.expires());
            }
        }
        Claim claim = new Claim(UUID.randomUUID().toString(), deviceId, userId, request.nonce(), Status.PENDING, now,
                now.plusSeconds(windowSeconds).plus(GRACE), Optional.empty(), Optional.empty(), Pem.certificates(List.of(certificate)));
        claims.create(claim);
        byte[] payload = MethodContracts.of(ReferenceMethod.START_CLAIM).request().toJson(request);
        return commands.invokeMethod(deviceId, ReferenceMethod.START_CLAIM.methodName(), payload, START_TIMEOUT)
                .thenApply(result -> {
                    if (result.status() != 200) {
                        claims.decide(claim.claimId(), Status.FAILED, "the device answered startClaim with " + describe(result), clock.instant());
                    }
                    return claims.get(claim.claimId()).orElseThrow();
                });
    }

    /** The claim as its user (or an operator) sees it, a pending one past its window as EXPIRED. */
    public Optional<Claim> get(String claimId) {
        Optional<Claim> claim = claims.get(claimId);
        if (claim.isPresent() && expireIfDue(claim.get(), clock.instant())) {
            return claims.get(claimId);
        }
        return claim;
    }

    /**
     * A presence message from {@code deviceId}, enqueued by the hub at {@code enqueued}. Decides
     * the pending claim with the same nonce; a presence no pending claim waits for is counted and
     * ignored (a replay, or a claim already decided: redelivery changes nothing).
     */
    public void onPresence(DeviceId deviceId, Presence presence, Instant enqueued) {
        Optional<Claim> match = claims.pending(deviceId).stream().filter(c -> c.nonce().equals(presence.nonce())).findFirst();
        if (match.isEmpty()) {
            unmatchedPresence.incrementAndGet();
            LOG.info("presence from {} matches no pending claim; ignored", deviceId);
            return;
        }
        Claim claim = match.get();
        Instant now = clock.instant();
        if (enqueued.isAfter(claim.expires())) {
            claims.decide(claim.claimId(), Status.EXPIRED, "the presence arrived after the claim window closed", now);
            return;
        }
        X509Certificate certificate = Pem.readCertificates(claim.certificatePem(), "claim " + claim.claimId()).get(0);
        if (!PresenceSignatures.verify(certificate, deviceId, presence.nonce(), presence.signature())) {
            claims.decide(claim.claimId(), Status.REJECTED, "the presence signature does not verify with the device certificate", now);
            LOG.warn("presence from {} for claim {} has a signature that does not verify; claim rejected", deviceId, claim.claimId());
            return;
        }
        // owner first, then the decision: if the process dies in between, the redelivered presence
        // finds the claim still pending and does both again (setting the same owner twice is harmless)
        devices.setOwner(deviceId, claim.userId());
        claims.decide(claim.claimId(), Status.GRANTED, "the device proved the button press", now);
        LOG.info("device {} is now owned by the user of claim {}", deviceId, claim.claimId());
    }

    /** Presence messages that matched no pending claim, since start. */
    public long unmatchedPresence() {
        return unmatchedPresence.get();
    }

    private boolean expireIfDue(Claim claim, Instant now) {
        if (claim.status() == Status.PENDING && now.isAfter(claim.expires())) {
            claims.decide(claim.claimId(), Status.EXPIRED, "no button press within the claim window", now);
            return true;
        }
        return false;
    }

    private String newNonce() {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    private static String describe(MethodResult r) {
        if (r.isNotOnline()) {
            return "no answer: it is not online";
        }
        if (r.isTimeout()) {
            return "no answer within " + START_TIMEOUT.toSeconds() + " s";
        }
        return r.status() + " " + r.payloadText();
    }
}
