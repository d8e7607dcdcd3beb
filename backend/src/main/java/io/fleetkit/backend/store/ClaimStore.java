package io.fleetkit.backend.store;

import io.fleetkit.protocol.id.DeviceId;

import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Ownership claims and their outcomes. Decisions only ever move a claim out of PENDING, once. */
public final class ClaimStore {
    private static final String COLUMNS = "claim_id, device_id, user_id, nonce, status, created, expires, decided, reason, certificate";

    public enum Status { PENDING, GRANTED, REJECTED, EXPIRED, FAILED }

    /**
     * A claim; {@code decided} and {@code reason} are empty while it is pending.
     *
     * @param certificatePem the certificate the device was connected with when the claim started
     */
    public record Claim(String claimId, DeviceId deviceId, String userId, String nonce, Status status, Instant created,
                        Instant expires, Optional<Instant> decided, Optional<String> reason, String certificatePem) {
        public Claim {
            Objects.requireNonNull(claimId, "claimId");
            Objects.requireNonNull(deviceId, "deviceId");
            Objects.requireNonNull(userId, "userId");
            Objects.requireNonNull(nonce, "nonce");
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(certificatePem, "certificatePem");
        }
    }

    private final Database db;

    public ClaimStore(Database db) {
        this.db = db;
    }

    public void create(Claim claim) {
        Sql.update(db, "record claim " + claim.claimId(),
                "INSERT INTO claims (" + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                claim.claimId(), claim.deviceId().value(), claim.userId(), claim.nonce(), claim.status().name(),
                Sql.utc(claim.created()), Sql.utc(claim.expires()), Sql.utc(claim.decided().orElse(null)), claim.reason().orElse(null), claim.certificatePem());
    }

    public Optional<Claim> get(String claimId) {
        return select("SELECT " + COLUMNS + " FROM claims WHERE claim_id = ?", claimId).stream().findFirst();
    }

    /** The device's pending claims, oldest first. */
    public List<Claim> pending(DeviceId deviceId) {
        return select("SELECT " + COLUMNS + " FROM claims WHERE device_id = ? AND status = 'PENDING' ORDER BY created",
                deviceId.value());
    }

    /**
     * Moves a pending claim to {@code outcome}; false when it was no longer pending (another
     * decision came first), so a claim is decided exactly once even with redelivered presence.
     */
    public boolean decide(String claimId, Status outcome, String reason, Instant at) {
        if (outcome == Status.PENDING) {
            throw new IllegalArgumentException("outcome: a decision cannot be PENDING");
        }
        return Sql.update(db, "decide claim " + claimId,
                "UPDATE claims SET status = ?, decided = ?, reason = ? WHERE claim_id = ? AND status = 'PENDING'",
                outcome.name(), Sql.utc(at), reason, claimId) == 1;
    }

    /** Forgets every claim a user made (GDPR erase); how many. */
    public int deleteByUser(String userId) {
        return Sql.update(db, "erase the claims of a user", "DELETE FROM claims WHERE user_id = ?", userId);
    }

    private List<Claim> select(String sql, Object... args) {
        return Sql.query(db, "read claims", sql, rs -> new Claim(rs.getString(1), DeviceId.of(rs.getString(2)), rs.getString(3),
                rs.getString(4), Status.valueOf(rs.getString(5)), Sql.instant(rs, 6).orElseThrow(), Sql.instant(rs, 7).orElseThrow(),
                Sql.instant(rs, 8), Optional.ofNullable(rs.getString(9)), rs.getString(10)), args);
    }
}
