-- Portable between PostgreSQL and H2 (which fleetkit runs in its PostgreSQL mode).

CREATE TABLE devices (
    device_id        VARCHAR(128) PRIMARY KEY,
    model_id         VARCHAR(256),
    firmware_version VARCHAR(64),
    last_boot        TIMESTAMP WITH TIME ZONE,
    reset_reason     VARCHAR(32),
    online           BOOLEAN NOT NULL DEFAULT FALSE,
    last_seen        TIMESTAMP WITH TIME ZONE,
    owner_id         VARCHAR(256)
);

-- One row per telemetry message; the key makes a redelivered message a no-op.
CREATE TABLE telemetry (
    device_id    VARCHAR(128)             NOT NULL,
    seq          BIGINT                   NOT NULL,
    device_time  TIMESTAMP WITH TIME ZONE NOT NULL,
    enqueued     TIMESTAMP WITH TIME ZONE NOT NULL,
    readings     VARCHAR(262144)          NOT NULL,
    PRIMARY KEY (device_id, seq)
);

CREATE INDEX telemetry_by_time ON telemetry (device_id, device_time);
