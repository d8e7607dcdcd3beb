-- The hub's device identities (what DPS registered). Connection state stays in memory: after a
-- restart every device is disconnected until it connects again.
CREATE TABLE registry (
    device_id      VARCHAR(128)             PRIMARY KEY,
    status         VARCHAR(16)              NOT NULL,
    authentication VARCHAR(32)              NOT NULL,
    created        TIMESTAMP WITH TIME ZONE NOT NULL
);
