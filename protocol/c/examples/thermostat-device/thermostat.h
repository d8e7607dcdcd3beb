/*
 * The reference thermostat on the test port, in C: the firmware model's behaviour (firmware-model's Firmware,
 * TestPortDevice and MethodResponder; protocol's thermostat.json and MethodContracts) as a firmware would write it on
 * fk_testport. Sans-IO like the model: the board feeds it frames, button presses and the time, and gives it a way to
 * send frames, read the clock, sign and save its flash (th_board); it owns no file, thread or clock.
 *
 * "Connected" means the test port is alive: a frame from the bridge came in the last TH_LINK_SILENCE_MS (the bridge
 * pings every second). A UART cannot tell whether a cable is attached, so the device says hello when it starts and
 * again whenever the bridge is heard after a silence.
 */
#ifndef THERMOSTAT_H
#define THERMOSTAT_H

#include <stddef.h>
#include <stdint.h>

#include "fk_testport.h"

#define TH_MODEL_ID "thermostat"
#define TH_FIRMWARE_VERSION "1.4.2"
#define TH_DEFAULT_INTERVAL_S 60u     /* thermostat.json: telemetryIntervalSeconds */
#define TH_LINK_SILENCE_MS 3000u      /* the bridge's own dead-link timeout (hil-bridge/README.md) */
#define TH_RX_BUFFER 4096u            /* the largest frame the device accepts: FK_COBS_MAX(payload + 3) */
#define TH_TX_PAYLOAD 1024u           /* the largest payload it sends */
#define TH_DEVICE_ID_MAX 128u

/* What survives a reboot: the device's flash (firmware-model's NonVolatileState, without the hub it has no use for). */
typedef struct {
    uint64_t next_seq;
    uint32_t interval_s;
} th_flash;

/* What the board provides. */
typedef struct {
    void *ctx;
    /* Writes one encoded frame (0x00 included); returns 0, or -1 when the port cannot take it. */
    int (*send)(void *ctx, const uint8_t *frame, size_t len);
    /* The time now as ISO-8601 UTC with milliseconds, e.g. "2026-11-26T09:30:00.250Z" (at most 31 characters). */
    void (*timestamp)(void *ctx, char out[32]);
    /* Signs the presence proof with the device key (ECDSA P-256/SHA-256 DER or RSA PKCS#1 v1.5); returns its length, 0 on failure. */
    size_t (*sign)(void *ctx, const uint8_t *content, size_t len, uint8_t *signature, size_t cap);
    /* Writes the flash. */
    void (*save)(void *ctx, const th_flash *flash);
    /* Optional: a line for the host's console (NULL for none). */
    void (*trace)(void *ctx, const char *line);
} th_board;

typedef enum { TH_RESET_POWER_ON, TH_RESET_SOFTWARE, TH_RESET_FACTORY } th_reset_reason;

/* Timers, in milliseconds of the board's monotonic clock; 0 when not armed. */
typedef struct {
    uint64_t telemetry, reboot, identify_end, claim_end;
} th_timers;

typedef struct {
    const th_board *board;
    char device_id[TH_DEVICE_ID_MAX + 1];
    double rate_multiplier; /* telemetry comes interval / rate_multiplier apart (a fast test mode) */
    th_flash flash;
    th_reset_reason reset_reason;
    th_timers timers;
    int connected;
    int boot_announced;
    uint64_t last_heard_ms; /* 0: never */
    uint64_t booted_ms;
    uint64_t messages_sent; /* device messages since power-on (Outbox.sent) */
    char claim_nonce[129];  /* empty: no claim window open */
    uint32_t rng;
    /* sensors */
    double temperature;
    double battery_percent;
    uint64_t first_read_ms;
    int has_read;
    /* the receive side */
    fk_stream rx;
    uint8_t rx_buf[TH_RX_BUFFER];
} thermostat;

/* Powers on: reads the flash (a sequence saved up to 99 messages ago: skips to the next hundred), says hello. */
void th_power_on(thermostat *t, const th_board *board, const char *device_id, double rate_multiplier, th_flash flash,
                 uint32_t seed, uint64_t now_ms);
/* Bytes from the test port, in any number. */
void th_received(thermostat *t, const uint8_t *bytes, size_t n, uint64_t now_ms);
/* The physical button. */
void th_button(thermostat *t, uint64_t now_ms);
/* Runs what is due; returns when to call again (a monotonic time in ms). */
uint64_t th_poll(thermostat *t, uint64_t now_ms);

/* ---- method payloads: strict reading with the reference codec's messages (requests.c) ---- */
typedef enum { TH_INT, TH_BOOL, TH_NONCE } th_kind;

typedef struct {
    const char *name;
    th_kind kind;
    int required;
    int64_t min, max, fallback; /* TH_INT: the range and the default of an optional member */
} th_field;

typedef struct {
    const char *title; /* "setTelemetryInterval request" */
    const th_field *fields;
    size_t count;
} th_request;

#define TH_MAX_FIELDS 2

typedef struct {
    int64_t ints[TH_MAX_FIELDS];
    int bools[TH_MAX_FIELDS];
    fk_str strs[TH_MAX_FIELDS];
} th_values;

/*
 * Reads a method's payload (one CBOR item, or NULL for none: read as {}) against its request; on a misfit writes the
 * reference firmware's message, e.g. "invalid JSON document at $.intervalSeconds: expected an integer from 1 to
 * 86400, found 0", and returns -1.
 */
int th_request_read(const th_request *request, const uint8_t *payload, size_t len, th_values *out, char *message, size_t cap);

#endif
