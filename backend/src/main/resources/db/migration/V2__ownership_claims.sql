-- Ownership claims (issue: ownership by physical proof). A claim is PENDING until the device's
-- signed presence arrives (GRANTED), the signature fails (REJECTED), the window passes (EXPIRED)
-- or the device refuses startClaim (FAILED).
CREATE TABLE claims (
    claim_id    VARCHAR(64)              PRIMARY KEY,
    device_id   VARCHAR(128)             NOT NULL,
    user_id     VARCHAR(256)             NOT NULL,
    nonce       VARCHAR(128)             NOT NULL,
    status      VARCHAR(16)              NOT NULL,
    created     TIMESTAMP WITH TIME ZONE NOT NULL,
    expires     TIMESTAMP WITH TIME ZONE NOT NULL,
    decided     TIMESTAMP WITH TIME ZONE,
    reason      VARCHAR(512),
    -- the certificate the device was connected with when the claim started: its presence must verify with it
    certificate VARCHAR(16384)   NOT NULL
);

CREATE INDEX claims_by_device ON claims (device_id, status);
CREATE INDEX claims_by_user ON claims (user_id);
CREATE INDEX devices_by_owner ON devices (owner_id, device_id);
