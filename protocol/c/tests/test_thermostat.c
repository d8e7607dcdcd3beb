/*
 * The reference thermostat's logic on a fake board: what it sends at power-on, when the bridge is heard, on its timers,
 * for each method (answers and the reference codec's error messages), the claim and the button, a silent link, a reboot.
 * The same behaviour against the Java firmware model is checked end to end by hil-bridge's CDeviceIT.
 */
#include "thermostat.h"

#include "fk_check.h"

#include <stdio.h>
#include <string.h>

/* ---- the fake board: frames decoded as they are sent ---- */

#define MAX_SENT 64
typedef struct {
    uint8_t type;
    uint8_t payload[1024];
    size_t len;
} sent_frame;

static sent_frame sent[MAX_SENT];
static size_t sent_count;
static th_flash saved;
static int saves;

static int fake_send(void *ctx, const uint8_t *frame, size_t len) {
    (void)ctx;
    uint8_t block[2048];
    uint8_t type;
    const uint8_t *payload;
    size_t payload_len;
    CHECK(len > 1 && frame[len - 1] == 0, "a frame ends with 0x00");
    memcpy(block, frame, len - 1);
    int err = fk_frame_decode(block, len - 1, &type, &payload, &payload_len);
    CHECK(err == FK_OK, "the device sent a frame that does not decode: %s", fk_err_name(err));
    if (err == FK_OK && sent_count < MAX_SENT) {
        sent[sent_count].type = type;
        memcpy(sent[sent_count].payload, payload, payload_len);
        sent[sent_count].len = payload_len;
        sent_count++;
    }
    return 0;
}

static void fake_timestamp(void *ctx, char out[32]) {
    (void)ctx;
    strcpy(out, "2026-11-26T09:30:00.250Z");
}

static size_t fake_sign(void *ctx, const uint8_t *content, size_t len, uint8_t *signature, size_t cap) {
    (void)ctx;
    const char *want = "fleetkit-presence/v1\ndev-001\nq3Vx7bT0ZkR1cL9mW2aYpQ";
    CHECK(len == strlen(want) && memcmp(content, want, len) == 0, "the presence proof signs '%.*s'", (int)len, (const char *)content);
    CHECK(cap >= 4, "room for a signature");
    memcpy(signature, "\x30\x02\x01\x01", 4);
    return 4;
}

static void fake_save(void *ctx, const th_flash *flash) {
    (void)ctx;
    saved = *flash;
    saves++;
}

static const th_board BOARD = {NULL, fake_send, fake_timestamp, fake_sign, fake_save, NULL};

/* ---- reading what was sent ---- */

/* The item under key in a map payload (one level, or two with a dotted "payload.key"), as a reader at its value. */
static int find(const uint8_t *payload, size_t len, const char *key, fk_cbor_reader *at) {
    const char *dot = strchr(key, '.');
    size_t key_len = dot != NULL ? (size_t)(dot - key) : strlen(key);
    fk_cbor_reader r;
    size_t pairs;
    fk_cbor_reader_init(&r, payload, len);
    if (fk_cbor_read_map(&r, &pairs) != FK_OK) {
        return 0;
    }
    for (size_t i = 0; i < pairs; i++) {
        const char *k;
        size_t n;
        fk_cbor_read_text(&r, &k, &n);
        if (n == key_len && memcmp(k, key, n) == 0) {
            if (dot == NULL) {
                *at = r;
                return 1;
            }
            size_t start = r.pos;
            fk_cbor_skip(&r);
            return find(payload + start, r.pos - start, dot + 1, at);
        }
        fk_cbor_skip(&r);
    }
    return 0;
}

static uint64_t uint_at(const sent_frame *f, const char *key) {
    fk_cbor_reader r;
    uint64_t v = 999999;
    if (find(f->payload, f->len, key, &r)) {
        fk_cbor_read_uint(&r, &v);
    }
    return v;
}

static int text_is(const sent_frame *f, const char *key, const char *want) {
    fk_cbor_reader r;
    const char *s;
    size_t n;
    return find(f->payload, f->len, key, &r) && fk_cbor_read_text(&r, &s, &n) == FK_OK && n == strlen(want)
           && memcmp(s, want, n) == 0;
}

static const char *text_at(const sent_frame *f, const char *key) {
    static char out[700];
    fk_cbor_reader r;
    const char *s;
    size_t n;
    if (!find(f->payload, f->len, key, &r) || fk_cbor_read_text(&r, &s, &n) != FK_OK) {
        return "(absent)";
    }
    snprintf(out, sizeof out, "%.*s", (int)n, s);
    return out;
}

/* ---- driving the device ---- */

static thermostat device;
static uint64_t now = 1000;

static void from_bridge(uint8_t type, const fk_cbor_writer *w) {
    uint8_t frame[FK_FRAME_MAX(1024)];
    size_t n;
    CHECK(fk_frame_encode(type, w->buf, w->len, frame, sizeof frame, &n) == FK_OK, "encode the bridge's frame");
    th_received(&device, frame, n, now);
}

static void ping(uint64_t seq) {
    uint8_t buf[32];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_ping_write(&w, seq, 0);
    from_bridge(FK_PING, &w);
}

/* Calls a method with a payload built by the caller (NULL: none); returns the METHOD_RESPONSE frame. */
static const sent_frame *call(uint64_t rid, const char *method, const fk_cbor_writer *payload) {
    uint8_t buf[512];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_method_request_write(&w, rid, method, payload != NULL ? payload->buf : NULL, payload != NULL ? payload->len : 0);
    size_t before = sent_count;
    from_bridge(FK_METHOD_REQUEST, &w);
    for (size_t i = before; i < sent_count; i++) {
        if (sent[i].type == FK_METHOD_RESPONSE && uint_at(&sent[i], "rid") == rid) {
            return &sent[i];
        }
    }
    CHECK(0, "no answer to %s", method);
    static const sent_frame none = {0, {0}, 0};
    return &none;
}

/* A payload {key: int}. */
static fk_cbor_writer int_payload(uint8_t *buf, size_t cap, const char *key, int64_t v) {
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, cap);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, key);
    fk_cbor_int(&w, v);
    return w;
}

static size_t count_type(size_t from, uint8_t type) {
    size_t n = 0;
    for (size_t i = from; i < sent_count; i++) {
        n += sent[i].type == type;
    }
    return n;
}

static const sent_frame *last_of(uint8_t type) {
    for (size_t i = sent_count; i > 0; i--) {
        if (sent[i - 1].type == type) {
            return &sent[i - 1];
        }
    }
    static const sent_frame none = {0, {0}, 0};
    return &none;
}

static void error_is(const sent_frame *answer, uint64_t status, const char *code, const char *message) {
    CHECK(uint_at(answer, "status") == status, "status %llu, expected %llu", (unsigned long long)uint_at(answer, "status"),
          (unsigned long long)status);
    CHECK(text_is(answer, "payload.error", code), "error '%s', expected '%s'", text_at(answer, "payload.error"), code);
    CHECK(text_is(answer, "payload.message", message), "message\n  '%s', expected\n  '%s'", text_at(answer, "payload.message"),
          message);
}

static void lifecycle(void) {
    th_flash flash = {142, 60}; /* saved up to 99 messages ago: the device skips to 200 */
    th_power_on(&device, &BOARD, "dev-001", 60.0, flash, 7, now);
    CHECK(sent_count == 1 && sent[0].type == FK_HELLO, "power-on says hello (%zu frames)", sent_count);
    CHECK(text_is(&sent[0], "deviceId", "dev-001") && text_is(&sent[0], "modelId", "thermostat")
          && text_is(&sent[0], "firmwareVersion", "1.4.2") && uint_at(&sent[0], "protocolVersion") == 1, "hello fields");
    CHECK(th_poll(&device, now) <= now + 1000, "polled at least once a second");
    CHECK(count_type(0, FK_TELEMETRY) == 0, "no telemetry before the bridge is heard");

    ping(5);
    CHECK(count_type(1, FK_HELLO) == 1, "hello again when the bridge is heard");
    const sent_frame *boot = last_of(FK_EVENT);
    CHECK(text_is(boot, "type", "lifecycle") && text_is(boot, "event", "boot") && text_is(boot, "resetReason", "powerOn"),
          "a lifecycle boot");
    CHECK(uint_at(boot, "seq") == 200, "the sequence skips to the next hundred after power-on: %llu",
          (unsigned long long)uint_at(boot, "seq"));
    CHECK(saves == 1 && saved.next_seq == 201, "seq 200 saved to flash (%d saves, %llu)", saves, (unsigned long long)saved.next_seq);
    const sent_frame *pong = last_of(FK_PING);
    CHECK(uint_at(pong, "seq") == 5, "ping answered with its seq");

    size_t before = sent_count;
    now += 999;
    th_poll(&device, now);
    CHECK(count_type(before, FK_TELEMETRY) == 0, "no telemetry before the period (60 s / 60)");
    now += 1;
    th_poll(&device, now);
    CHECK(count_type(before, FK_TELEMETRY) == 1, "telemetry after one period");
    const sent_frame *telemetry = last_of(FK_TELEMETRY);
    CHECK(uint_at(telemetry, "seq") == 201 && text_is(telemetry, "ts", "2026-11-26T09:30:00.250Z"), "telemetry seq and ts");
    fk_cbor_reader r;
    double temperature = 0;
    CHECK(find(telemetry->payload, telemetry->len, "readings.temperature", &r) && fk_cbor_read_double(&r, &temperature) == FK_OK
          && temperature >= 20.8 && temperature <= 21.2, "temperature walks from 21.0: %f", temperature);
    CHECK(uint_at(telemetry, "readings.batteryPercent") >= 97 && uint_at(telemetry, "readings.batteryPercent") <= 99,
          "batteryPercent is a whole number near 98");
    CHECK(fk_cbor_validate(telemetry->payload, telemetry->len) == FK_OK, "well-formed CBOR");
}

static void methods(void) {
    uint8_t buf[256];
    fk_cbor_writer p = int_payload(buf, sizeof buf, "durationSeconds", 1);
    const sent_frame *a = call(1, "identify", &p);
    CHECK(uint_at(a, "status") == 200 && uint_at(a, "payload.blinkingForSeconds") == 1, "identify answered");
    CHECK(text_is(last_of(FK_LED), "mode", "blink") && text_is(last_of(FK_LED), "color", "blue")
          && uint_at(last_of(FK_LED), "periodMs") == 500, "the LED blinks blue");
    now += 1000;
    ping(6);
    th_poll(&device, now);
    CHECK(text_is(last_of(FK_LED), "mode", "off"), "and goes off after the duration");

    a = call(2, "identify", NULL);
    CHECK(uint_at(a, "payload.blinkingForSeconds") == 10, "identify without a payload: 10 s by default");

    a = call(3, "getDiagnostics", NULL);
    CHECK(uint_at(a, "status") == 200 && text_is(a, "payload.modelId", "thermostat") && text_is(a, "payload.lastResetReason", "powerOn")
          && uint_at(a, "payload.telemetryIntervalSeconds") == 60 && uint_at(a, "payload.uptimeSeconds") == 2,
          "getDiagnostics");

    p = int_payload(buf, sizeof buf, "intervalSeconds", 30);
    a = call(4, "setTelemetryInterval", &p);
    CHECK(uint_at(a, "payload.intervalSeconds") == 30 && uint_at(a, "payload.previousIntervalSeconds") == 60, "interval set");
    CHECK(saved.interval_s == 30, "and saved in flash");

    a = call(5, "noSuchMethod", NULL);
    error_is(a, 404, "unknownMethod", "the thermostat has no method 'noSuchMethod'");

    a = call(6, "setTargetTemperature", NULL);
    fk_cbor_reader r;
    int accepted = 0;
    CHECK(find(a->payload, a->len, "payload.accepted", &r) && fk_cbor_read_bool(&r, &accepted) == FK_OK && accepted,
          "setTargetTemperature: the model's fixed answer");
}

/* The reference codec's words, check by check (protocol's ObjectKind and Kinds). */
static void strict_requests(void) {
    uint8_t buf[256];
    fk_cbor_writer p = int_payload(buf, sizeof buf, "intervalSeconds", 0);
    error_is(call(10, "setTelemetryInterval", &p), 400, "invalidRequest",
             "invalid JSON document at $.intervalSeconds: expected an integer from 1 to 86400, found 0");
    p = int_payload(buf, sizeof buf, "intervalSeconds", -5);
    error_is(call(11, "setTelemetryInterval", &p), 400, "invalidRequest",
             "invalid JSON document at $.intervalSeconds: expected an integer from 1 to 86400, found -5");
    p = int_payload(buf, sizeof buf, "interval", 5);
    error_is(call(12, "setTelemetryInterval", &p), 400, "invalidRequest",
             "invalid JSON document at $.interval: unknown member 'interval'; setTelemetryInterval request has intervalSeconds");
    error_is(call(13, "setTelemetryInterval", NULL), 400, "invalidRequest",
             "invalid JSON document at $: missing required member 'intervalSeconds'");

    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "durationSeconds");
    fk_cbor_text(&w, "ten");
    error_is(call(14, "identify", &w), 400, "invalidRequest", "invalid JSON document at $.durationSeconds: expected an integer, found a string");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "durationSeconds");
    fk_cbor_double(&w, 3.0);
    error_is(call(15, "identify", &w), 400, "invalidRequest", "invalid JSON document at $.durationSeconds: expected an integer, found a number");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "delaySeconds");
    fk_cbor_null(&w);
    error_is(call(16, "reboot", &w), 400, "invalidRequest",
             "invalid JSON document at $.delaySeconds: expected a value, found null (leave an optional member out instead)");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_array(&w, 0);
    error_is(call(17, "reboot", &w), 400, "invalidRequest",
             "invalid JSON document at $: expected an object (reboot request), found an array");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "9 lives");
    fk_cbor_uint(&w, 1);
    error_is(call(18, "getDiagnostics", &w), 400, "invalidRequest",
             "invalid JSON document at $['9 lives']: unknown member '9 lives'; getDiagnostics request has ");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "nonce");
    fk_cbor_text(&w, "short");
    error_is(call(19, "startClaim", &w), 400, "invalidRequest",
             "invalid JSON document at $.nonce: expected a string of 16 to 128 characters, found one of 5");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "nonce");
    fk_cbor_text(&w, "not/a/nonce/at/all");
    error_is(call(20, "startClaim", &w), 400, "invalidRequest",
             "invalid JSON document at $.nonce: 'not/a/nonce/at/all' does not match the pattern [A-Za-z0-9_-]+");

    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, "confirm");
    fk_cbor_bool(&w, 0);
    error_is(call(21, "factoryReset", &w), 400, "invalidRequest",
             "invalid JSON document at $: confirm: must be true to reset the device to factory state");
}

static void claim_and_reboot(void) {
    uint8_t buf[256];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 2);
    fk_cbor_text(&w, "nonce");
    fk_cbor_text(&w, "q3Vx7bT0ZkR1cL9mW2aYpQ");
    fk_cbor_text(&w, "windowSeconds");
    fk_cbor_uint(&w, 30);
    const sent_frame *a = call(30, "startClaim", &w);
    CHECK(uint_at(a, "payload.awaitingButtonForSeconds") == 30, "claim window open");
    CHECK(text_is(last_of(FK_LED), "color", "green") && uint_at(last_of(FK_LED), "periodMs") == 250, "the LED blinks green");

    uint8_t press[32];
    fk_cbor_writer b;
    fk_cbor_writer_init(&b, press, sizeof press);
    fk_button_write(&b, 1);
    from_bridge(FK_BUTTON, &b);
    const sent_frame *presence = last_of(FK_EVENT);
    CHECK(text_is(presence, "type", "presence") && text_is(presence, "nonce", "q3Vx7bT0ZkR1cL9mW2aYpQ"), "a presence message");
    fk_cbor_reader r;
    const uint8_t *sig;
    size_t sig_len = 0;
    CHECK(find(presence->payload, presence->len, "signature", &r) && fk_cbor_read_bytes(&r, &sig, &sig_len) == FK_OK && sig_len == 4,
          "its signature as a byte string");
    CHECK(text_is(last_of(FK_LED), "mode", "off"), "the LED off after the press");
    size_t before = sent_count;
    from_bridge(FK_BUTTON, &b);
    CHECK(count_type(before, FK_EVENT) == 0, "a press outside a claim window sends nothing");

    /* silence: offline, no telemetry; heard again: hello, no second boot message */
    before = sent_count;
    now += 3001;
    th_poll(&device, now);
    now += 5000;
    th_poll(&device, now);
    CHECK(count_type(before, FK_TELEMETRY) == 0, "no telemetry on a silent link");
    ping(7);
    CHECK(count_type(before, FK_HELLO) == 1 && count_type(before, FK_EVENT) == 0, "hello when heard again, no second boot");

    fk_cbor_writer p = int_payload(buf, sizeof buf, "delaySeconds", 0);
    a = call(31, "reboot", &p);
    CHECK(uint_at(a, "payload.rebootingInSeconds") == 0, "reboot answered");
    before = sent_count;
    th_poll(&device, now);
    CHECK(count_type(before, FK_HELLO) == 1, "a reboot says hello");
    CHECK(text_is(last_of(FK_EVENT), "event", "boot") && text_is(last_of(FK_EVENT), "resetReason", "software"), "and boot, software");
}

int main(void) {
    lifecycle();
    methods();
    strict_requests();
    claim_and_reboot();
    printf("test_thermostat: %d checks, %d failures\n", checks, failures);
    return failures == 0 ? 0 : 1;
}
