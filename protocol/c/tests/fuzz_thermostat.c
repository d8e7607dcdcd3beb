/*
 * libFuzzer: the reference thermostat's input path. The first byte picks a method (or, above the list, raw bytes for the
 * port); the rest is the method's CBOR payload inside a well-formed METHOD_REQUEST frame. Every frame the device sends must
 * decode, and a call that reads (its payload one well-formed CBOR item) must get exactly one answer.
 */
#include "thermostat.h"

#include <stdlib.h>
#include <string.h>

static size_t answers;

static int check_send(void *ctx, const uint8_t *frame, size_t len) {
    (void)ctx;
    uint8_t block[FK_FRAME_MAX(TH_TX_PAYLOAD)];
    uint8_t type;
    const uint8_t *payload;
    size_t payload_len;
    if (len < 2 || len - 1 > sizeof block || frame[len - 1] != 0) {
        abort();
    }
    memcpy(block, frame, len - 1);
    if (fk_frame_decode(block, len - 1, &type, &payload, &payload_len) != FK_OK || fk_cbor_validate(payload, payload_len) != FK_OK) {
        abort();
    }
    answers += type == FK_METHOD_RESPONSE;
    return 0;
}

static void fixed_time(void *ctx, char out[32]) {
    (void)ctx;
    strcpy(out, "2026-11-26T09:30:00.250Z");
}

static size_t fake_sign(void *ctx, const uint8_t *content, size_t len, uint8_t *signature, size_t cap) {
    (void)ctx;
    (void)content;
    (void)len;
    if (cap < 1) {
        abort();
    }
    signature[0] = 0x30;
    return 1;
}

static void no_save(void *ctx, const th_flash *flash) {
    (void)ctx;
    (void)flash;
}

static const th_board BOARD = {NULL, check_send, fixed_time, fake_sign, no_save, NULL};
static const char *const METHODS[] = {"reboot", "setTelemetryInterval", "identify", "getDiagnostics", "startClaim",
                                      "factoryReset", "setTargetTemperature", "noSuchMethod"};
#define METHOD_COUNT (sizeof METHODS / sizeof METHODS[0])

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static thermostat t;
    static uint8_t request[TH_RX_BUFFER];
    static uint8_t frame[FK_FRAME_MAX(TH_RX_BUFFER)];
    th_flash flash = {0, 60};
    uint64_t now = 1000;
    if (size == 0) {
        return 0;
    }
    th_power_on(&t, &BOARD, "fuzz-001", 1.0, flash, 1, now);
    if (data[0] >= METHOD_COUNT) {
        th_received(&t, data + 1, size - 1, now);
        th_poll(&t, now + 100000);
        return 0;
    }
    fk_cbor_writer w;
    fk_cbor_writer_init(&w, request, sizeof request - 3);
    fk_method_request_write(&w, 7, METHODS[data[0]], data + 1, size - 1);
    size_t n;
    if (w.err != FK_OK || fk_frame_encode(FK_METHOD_REQUEST, request, w.len, frame, sizeof frame, &n) != FK_OK
        || n - 1 > TH_RX_BUFFER) {
        return 0; /* larger than the device accepts */
    }
    fk_method_request call;
    int readable = fk_method_request_read(request, w.len, &call) == FK_OK; /* the payload well-formed, nested 15 deep at most */
    answers = 0;
    th_received(&t, frame, n, now);
    if (readable && answers != 1) {
        abort(); /* a readable call unanswered, or answered twice */
    }
    th_poll(&t, now + 100000);
    return 0;
}
