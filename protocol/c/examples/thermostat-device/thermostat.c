/*
 * The reference thermostat on the test port (see thermostat.h). Each behaviour names the part of the Java firmware
 * model it follows, because conformance runs compare the two.
 */
#include "thermostat.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#define SEQ_SAVE_EVERY 100u /* Firmware.SEQ_SAVE_EVERY: flash wears out, the sequence is saved every 100 messages */
#define PI 3.14159265358979323846

static const th_field REBOOT_FIELDS[] = {{"delaySeconds", TH_INT, 0, 0, 3600, 0}};
static const th_field INTERVAL_FIELDS[] = {{"intervalSeconds", TH_INT, 1, 1, 86400, 0}};
static const th_field IDENTIFY_FIELDS[] = {{"durationSeconds", TH_INT, 0, 1, 300, 10}};
static const th_field CLAIM_FIELDS[] = {{"nonce", TH_NONCE, 1, 16, 128, 0}, {"windowSeconds", TH_INT, 0, 10, 600, 60}};
static const th_field RESET_FIELDS[] = {{"confirm", TH_BOOL, 1, 0, 0, 0}};

static const th_request REBOOT = {"reboot request", REBOOT_FIELDS, 1};
static const th_request SET_INTERVAL = {"setTelemetryInterval request", INTERVAL_FIELDS, 1};
static const th_request IDENTIFY = {"identify request", IDENTIFY_FIELDS, 1};
static const th_request DIAGNOSTICS = {"getDiagnostics request", NULL, 0};
static const th_request START_CLAIM = {"startClaim request", CLAIM_FIELDS, 2};
static const th_request FACTORY_RESET = {"factoryReset request", RESET_FIELDS, 1};

static const char *reset_name(th_reset_reason r) {
    return r == TH_RESET_POWER_ON ? "powerOn" : r == TH_RESET_SOFTWARE ? "software" : "factoryReset";
}

static void trace(const thermostat *t, const char *line) {
    if (t->board->trace != NULL) {
        t->board->trace(t->board->ctx, line);
    }
}

/* xorshift32: the sensors' noise; not for anything secret */
static uint32_t next_random(thermostat *t) {
    uint32_t x = t->rng;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    t->rng = x;
    return x;
}

static double uniform(thermostat *t) {
    return (double)next_random(t) / 4294967296.0;
}

/* ---- sending ---- */

static void send_frame(thermostat *t, uint8_t type, const fk_cbor_writer *w) {
    uint8_t frame[FK_FRAME_MAX(TH_TX_PAYLOAD)];
    size_t n;
    if (w->err != FK_OK) {
        trace(t, "a frame too large for the send buffer was not sent");
        return;
    }
    if (fk_frame_encode(type, w->buf, w->len, frame, sizeof frame, &n) == FK_OK) {
        t->board->send(t->board->ctx, frame, n);
    }
}

static void send_hello(thermostat *t) {
    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_hello_write(&w, t->device_id, TH_FIRMWARE_VERSION, TH_MODEL_ID);
    send_frame(t, FK_HELLO, &w);
}

static void send_led(thermostat *t, const char *mode, const char *color, uint32_t period_ms) {
    uint8_t buf[64];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_led_write(&w, mode, color, period_ms);
    send_frame(t, FK_LED, &w);
}

static void send_log(thermostat *t, const char *level, const char *text) {
    uint8_t buf[256];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_log_write(&w, level, text);
    send_frame(t, FK_LOG, &w);
    trace(t, text);
}

static uint64_t next_seq(thermostat *t) {
    uint64_t seq = t->flash.next_seq++;
    if (seq % SEQ_SAVE_EVERY == 0) {
        t->board->save(t->board->ctx, &t->flash);
    }
    return seq;
}

/* The common head of every device message: v, type, seq, ts (protocol/spec/schemas/device-message.schema.json). */
static void message_head(thermostat *t, fk_cbor_writer *w, size_t pairs, const char *type) {
    char ts[32];
    t->board->timestamp(t->board->ctx, ts);
    fk_cbor_map(w, pairs);
    fk_cbor_text(w, "v");
    fk_cbor_uint(w, 1);
    fk_cbor_text(w, "type");
    fk_cbor_text(w, type);
    fk_cbor_text(w, "seq");
    fk_cbor_uint(w, next_seq(t));
    fk_cbor_text(w, "ts");
    fk_cbor_text(w, ts);
}

static void send_boot(thermostat *t) {
    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    message_head(t, &w, 8, "lifecycle");
    fk_cbor_text(&w, "event");
    fk_cbor_text(&w, "boot");
    fk_cbor_text(&w, "firmwareVersion");
    fk_cbor_text(&w, TH_FIRMWARE_VERSION);
    fk_cbor_text(&w, "modelId");
    fk_cbor_text(&w, TH_MODEL_ID);
    fk_cbor_text(&w, "resetReason");
    fk_cbor_text(&w, reset_name(t->reset_reason));
    send_frame(t, FK_EVENT, &w);
    t->messages_sent++;
}

/* thermostat.json's generators, as SimulatedHardware reads them: two decimals, integers whole. */
static void send_telemetry(thermostat *t, uint64_t now_ms) {
    if (!t->has_read) {
        t->has_read = 1;
        t->first_read_ms = now_ms;
    }
    t->temperature = fmax(15.0, fmin(28.0, t->temperature + (uniform(t) * 2 - 1) * 0.2));
    t->battery_percent = fmax(5.0, fmin(100.0, t->battery_percent + (uniform(t) * 2 - 1) * 1.0));
    double seconds = (double)(now_ms - t->first_read_ms) / 1000.0;
    double humidity = 45.0 + 10.0 * sin(2 * PI * seconds / 86400.0);

    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    message_head(t, &w, 5, "telemetry");
    fk_cbor_text(&w, "readings");
    fk_cbor_map(&w, 5);
    fk_cbor_text(&w, "temperature");
    fk_cbor_double(&w, round(t->temperature * 100) / 100);
    fk_cbor_text(&w, "humidity");
    fk_cbor_double(&w, round(humidity * 100) / 100);
    fk_cbor_text(&w, "targetTemperature");
    fk_cbor_double(&w, 21.5);
    fk_cbor_text(&w, "heating");
    fk_cbor_bool(&w, 0);
    fk_cbor_text(&w, "batteryPercent");
    fk_cbor_uint(&w, (uint64_t)rint(t->battery_percent));
    send_frame(t, FK_TELEMETRY, &w);
    t->messages_sent++;
}

/* Presence signs "fleetkit-presence/v1\n{deviceId}\n{nonce}" (hil-bridge/README.md). */
static void send_presence(thermostat *t) {
    char content[32 + TH_DEVICE_ID_MAX + sizeof t->claim_nonce];
    int n = snprintf(content, sizeof content, "fleetkit-presence/v1\n%s\n%s", t->device_id, t->claim_nonce);
    uint8_t signature[512];
    size_t signature_len = t->board->sign(t->board->ctx, (const uint8_t *)content, (size_t)n, signature, sizeof signature);
    if (signature_len == 0) {
        send_log(t, "error", "the presence proof could not be signed");
        return;
    }
    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    message_head(t, &w, 6, "presence");
    fk_cbor_text(&w, "nonce");
    fk_cbor_text(&w, t->claim_nonce);
    fk_cbor_text(&w, "signature");
    fk_cbor_bytes(&w, signature, signature_len);
    send_frame(t, FK_EVENT, &w);
    t->messages_sent++;
    trace(t, "presence sent");
}

/* ---- timers ---- */

static uint64_t telemetry_period_ms(const thermostat *t) {
    double ms = (double)t->flash.interval_s * 1000.0 / t->rate_multiplier; /* FirmwareConfig.telemetryPeriod */
    return ms < 1.0 ? 1u : (uint64_t)llround(ms);
}

static void arm(uint64_t *timer, uint64_t now_ms, uint64_t after_ms) {
    *timer = now_ms + after_ms;
    if (*timer == 0) {
        *timer = 1;
    }
}

/* ---- lifecycle ---- */

/* Firmware.boot after a reset: RAM gone, flash kept; online again at once if the link is up. */
static void boot(thermostat *t, uint64_t now_ms, int link_alive) {
    memset(&t->timers, 0, sizeof t->timers);
    t->claim_nonce[0] = '\0';
    t->booted_ms = now_ms;
    t->boot_announced = 0;
    t->connected = 0;
    send_hello(t);
    if (link_alive) {
        t->connected = 1;
        send_boot(t);
        t->boot_announced = 1;
        arm(&t->timers.telemetry, now_ms, telemetry_period_ms(t));
    }
}

/* The bridge was heard after a silence: Firmware.subscribed (online: boot announced once per boot, telemetry on). */
static void link_up(thermostat *t, uint64_t now_ms) {
    t->connected = 1;
    send_hello(t);
    send_log(t, "info", "test port up");
    if (!t->boot_announced) {
        t->boot_announced = 1;
        send_boot(t);
    }
    arm(&t->timers.telemetry, now_ms, telemetry_period_ms(t));
}

void th_power_on(thermostat *t, const th_board *board, const char *device_id, double rate_multiplier, th_flash flash,
                 uint32_t seed, uint64_t now_ms) {
    memset(t, 0, sizeof *t);
    t->board = board;
    snprintf(t->device_id, sizeof t->device_id, "%s", device_id);
    t->rate_multiplier = rate_multiplier > 0 ? rate_multiplier : 1.0;
    t->flash = flash;
    if (t->flash.interval_s == 0) {
        t->flash.interval_s = TH_DEFAULT_INTERVAL_S;
    }
    /* Firmware's Event.Boot: flash holds the sequence as saved up to 99 messages ago, so skip the block */
    t->flash.next_seq = (t->flash.next_seq + SEQ_SAVE_EVERY - 1) / SEQ_SAVE_EVERY * SEQ_SAVE_EVERY;
    t->reset_reason = TH_RESET_POWER_ON;
    t->rng = seed != 0 ? seed : 0x2545f491u;
    t->temperature = 21.0;
    t->battery_percent = 98.0;
    fk_stream_init(&t->rx, t->rx_buf, sizeof t->rx_buf);
    boot(t, now_ms, 0);
}

/* ---- methods: MethodResponder ---- */

static void answer(thermostat *t, uint64_t rid, int status, const fk_cbor_writer *body) {
    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_method_response_write(&w, rid, status, body->buf, body->len);
    send_frame(t, FK_METHOD_RESPONSE, &w);
}

/* {"error": code, "message": text}, the message cut at 1,000 characters (MethodResponder.error). */
static void answer_error(thermostat *t, uint64_t rid, int status, const char *code, const char *message) {
    uint8_t buf[TH_TX_PAYLOAD];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 2);
    fk_cbor_text(&w, "error");
    fk_cbor_text(&w, code);
    fk_cbor_text(&w, "message");
    fk_cbor_text_n(&w, message, strlen(message) > 1000 ? 1000 : strlen(message));
    answer(t, rid, status, &w);
}

/* A one-member answer {name: value}. */
static void answer_one(thermostat *t, uint64_t rid, const char *name, uint64_t value) {
    uint8_t buf[64];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 1);
    fk_cbor_text(&w, name);
    fk_cbor_uint(&w, value);
    answer(t, rid, 200, &w);
}

static void diagnostics(thermostat *t, uint64_t rid, uint64_t now_ms) {
    uint8_t buf[256];
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 8);
    fk_cbor_text(&w, "firmwareVersion");
    fk_cbor_text(&w, TH_FIRMWARE_VERSION);
    fk_cbor_text(&w, "modelId");
    fk_cbor_text(&w, TH_MODEL_ID);
    fk_cbor_text(&w, "uptimeSeconds");
    fk_cbor_uint(&w, (now_ms - t->booted_ms) / 1000u);
    fk_cbor_text(&w, "freeHeapBytes");
    fk_cbor_uint(&w, 96000u + next_random(t) % 32000u);
    fk_cbor_text(&w, "rssiDbm");
    fk_cbor_int(&w, -55 - (int64_t)(next_random(t) % 20u));
    fk_cbor_text(&w, "lastResetReason");
    fk_cbor_text(&w, reset_name(t->reset_reason));
    fk_cbor_text(&w, "telemetryIntervalSeconds");
    fk_cbor_uint(&w, t->flash.interval_s);
    fk_cbor_text(&w, "messagesSent");
    fk_cbor_uint(&w, t->messages_sent);
    answer(t, rid, 200, &w);
}

static int method_is(const fk_str *m, const char *name) {
    return m->n == strlen(name) && memcmp(m->s, name, m->n) == 0;
}

/* Reads the payload against its request; on a misfit answers 400 invalidRequest. */
static int read_request(thermostat *t, const fk_method_request *call, const th_request *request, th_values *v) {
    char message[600];
    if (th_request_read(request, call->payload, call->payload_len, v, message, sizeof message) != 0) {
        answer_error(t, call->rid, 400, "invalidRequest", message);
        return -1;
    }
    return 0;
}

static void method(thermostat *t, const fk_method_request *call, uint64_t now_ms) {
    th_values v;
    char line[200];
    snprintf(line, sizeof line, "method %.*s (request %llu)", (int)call->method.n, call->method.s, (unsigned long long)call->rid);
    trace(t, line);
    if (method_is(&call->method, "reboot")) {
        if (read_request(t, call, &REBOOT, &v) == 0) {
            answer_one(t, call->rid, "rebootingInSeconds", (uint64_t)v.ints[0]);
            arm(&t->timers.reboot, now_ms, (uint64_t)v.ints[0] * 1000u);
        }
    } else if (method_is(&call->method, "setTelemetryInterval")) {
        if (read_request(t, call, &SET_INTERVAL, &v) == 0) {
            uint8_t buf[64];
            fk_cbor_writer w;
            fk_cbor_writer_init(&w, buf, sizeof buf);
            fk_cbor_map(&w, 2);
            fk_cbor_text(&w, "intervalSeconds");
            fk_cbor_uint(&w, (uint64_t)v.ints[0]);
            fk_cbor_text(&w, "previousIntervalSeconds");
            fk_cbor_uint(&w, t->flash.interval_s);
            answer(t, call->rid, 200, &w);
            t->flash.interval_s = (uint32_t)v.ints[0];
            t->board->save(t->board->ctx, &t->flash);
            arm(&t->timers.telemetry, now_ms, telemetry_period_ms(t));
        }
    } else if (method_is(&call->method, "identify")) {
        if (read_request(t, call, &IDENTIFY, &v) == 0) {
            answer_one(t, call->rid, "blinkingForSeconds", (uint64_t)v.ints[0]);
            send_led(t, "blink", "blue", 500);
            arm(&t->timers.identify_end, now_ms, (uint64_t)v.ints[0] * 1000u);
        }
    } else if (method_is(&call->method, "getDiagnostics")) {
        if (read_request(t, call, &DIAGNOSTICS, &v) == 0) {
            diagnostics(t, call->rid, now_ms);
        }
    } else if (method_is(&call->method, "startClaim")) {
        if (read_request(t, call, &START_CLAIM, &v) == 0) {
            answer_one(t, call->rid, "awaitingButtonForSeconds", (uint64_t)v.ints[1]);
            snprintf(t->claim_nonce, sizeof t->claim_nonce, "%.*s", (int)v.strs[0].n, v.strs[0].s);
            send_led(t, "blink", "green", 250);
            arm(&t->timers.claim_end, now_ms, (uint64_t)v.ints[1] * 1000u);
        }
    } else if (method_is(&call->method, "factoryReset")) {
        if (read_request(t, call, &FACTORY_RESET, &v) == 0) {
            if (!v.bools[0]) {
                answer_error(t, call->rid, 400, "invalidRequest",
                             "invalid JSON document at $: confirm: must be true to reset the device to factory state");
                return;
            }
            answer_one(t, call->rid, "resettingInSeconds", 1);
            t->flash.interval_s = TH_DEFAULT_INTERVAL_S; /* factory state, the sequence kept */
            t->board->save(t->board->ctx, &t->flash);
            t->reset_reason = TH_RESET_FACTORY;
            arm(&t->timers.reboot, now_ms, 1000u);
        }
    } else if (method_is(&call->method, "setTargetTemperature")) {
        uint8_t buf[32]; /* thermostat.json: a fixed answer, no effect */
        fk_cbor_writer w;
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_cbor_map(&w, 1);
        fk_cbor_text(&w, "accepted");
        fk_cbor_bool(&w, 1);
        answer(t, call->rid, 200, &w);
    } else {
        char message[200];
        snprintf(message, sizeof message, "the " TH_MODEL_ID " has no method '%.*s'", (int)call->method.n, call->method.s);
        answer_error(t, call->rid, 404, "unknownMethod", message);
    }
}

/* ---- input ---- */

void th_button(thermostat *t, uint64_t now_ms) {
    (void)now_ms;
    if (t->claim_nonce[0] == '\0' || !t->connected) {
        return; /* Firmware.button: only inside a claim window, online */
    }
    send_presence(t);
    t->claim_nonce[0] = '\0';
    t->timers.claim_end = 0;
    send_led(t, "off", "green", 0);
}

static void frame(thermostat *t, uint8_t type, const uint8_t *payload, size_t len, uint64_t now_ms) {
    int was_connected = t->connected;
    t->last_heard_ms = now_ms;
    if (!was_connected) {
        link_up(t, now_ms); /* says hello: a HELLO from the bridge is answered by it */
    } else if (type == FK_HELLO) {
        send_hello(t); /* the bridge (re)started and asks who is there */
    }
    if (type == FK_PING) {
        fk_ping ping;
        if (fk_ping_read(payload, len, &ping) == FK_OK && !ping.reply) {
            uint8_t buf[32];
            fk_cbor_writer w;
            fk_cbor_writer_init(&w, buf, sizeof buf);
            fk_ping_write(&w, ping.seq, 1);
            send_frame(t, FK_PING, &w);
        }
    } else if (type == FK_METHOD_REQUEST) {
        fk_method_request call;
        int err = fk_method_request_read(payload, len, &call);
        if (err != FK_OK) {
            char line[80];
            snprintf(line, sizeof line, "a method request that does not read (%s): not answered", fk_err_name(err));
            send_log(t, "warn", line);
        } else {
            method(t, &call, now_ms);
        }
    } else if (type == FK_BUTTON) {
        int pressed;
        if (fk_button_read(payload, len, &pressed) == FK_OK && pressed) {
            th_button(t, now_ms); /* an injected press is the physical button */
        }
    }
}

void th_received(thermostat *t, const uint8_t *bytes, size_t n, uint64_t now_ms) {
    for (size_t i = 0; i < n; i++) {
        int r = fk_stream_feed(&t->rx, bytes[i]);
        if (r == FK_FRAME) {
            uint8_t type;
            const uint8_t *payload;
            size_t len;
            fk_stream_frame(&t->rx, &type, &payload, &len);
            frame(t, type, payload, len, now_ms);
        } else if (r < 0) {
            char line[80];
            snprintf(line, sizeof line, "a corrupt block dropped (%s), %lu so far", fk_err_name(r), (unsigned long)t->rx.dropped);
            trace(t, line);
        }
    }
}

static int due(uint64_t *timer, uint64_t now_ms) {
    if (*timer != 0 && *timer <= now_ms) {
        *timer = 0;
        return 1;
    }
    return 0;
}

static uint64_t earliest(uint64_t a, uint64_t b) {
    return a == 0 ? b : b == 0 ? a : (a < b ? a : b);
}

uint64_t th_poll(thermostat *t, uint64_t now_ms) {
    if (t->connected && now_ms - t->last_heard_ms > TH_LINK_SILENCE_MS) {
        t->connected = 0; /* Firmware.lost: telemetry stops; the next frame from the bridge brings it back */
        t->timers.telemetry = 0;
        trace(t, "test port silent: offline");
    }
    if (due(&t->timers.reboot, now_ms)) {
        if (t->reset_reason != TH_RESET_FACTORY) {
            t->reset_reason = TH_RESET_SOFTWARE;
        }
        t->board->save(t->board->ctx, &t->flash);
        trace(t, "rebooting");
        boot(t, now_ms, t->connected);
    }
    if (due(&t->timers.telemetry, now_ms) && t->connected) {
        send_telemetry(t, now_ms);
        arm(&t->timers.telemetry, now_ms, telemetry_period_ms(t));
    }
    if (due(&t->timers.identify_end, now_ms)) {
        send_led(t, "off", "blue", 0);
    }
    if (due(&t->timers.claim_end, now_ms) && t->claim_nonce[0] != '\0') {
        t->claim_nonce[0] = '\0';
        send_led(t, "off", "green", 0);
    }
    uint64_t next = now_ms + 1000u; /* at least once a second: the link's silence is checked here */
    if (t->connected) {
        next = earliest(next, t->last_heard_ms + TH_LINK_SILENCE_MS + 1);
    }
    next = earliest(next, t->timers.telemetry);
    next = earliest(next, t->timers.reboot);
    next = earliest(next, t->timers.identify_end);
    return earliest(next, t->timers.claim_end);
}
