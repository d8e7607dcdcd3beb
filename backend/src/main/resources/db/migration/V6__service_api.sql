-- IoT Hub's service API: devices added by certificate thumbprint (self-signed), a version per identity (its etag), and
-- twin tags (the back end's own metadata about a device, never sent to it) with their version.
ALTER TABLE registry ADD COLUMN primary_thumbprint VARCHAR(64);
ALTER TABLE registry ADD COLUMN secondary_thumbprint VARCHAR(64);
ALTER TABLE registry ADD COLUMN version BIGINT DEFAULT 1 NOT NULL;
ALTER TABLE twins ADD COLUMN tags VARCHAR(65536) DEFAULT '{}' NOT NULL;
ALTER TABLE twins ADD COLUMN tags_version BIGINT DEFAULT 1 NOT NULL;
