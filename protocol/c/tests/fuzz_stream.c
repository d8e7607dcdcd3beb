/*
 * libFuzzer target: arbitrary bytes into the streaming decoder, as a UART would deliver them. Every frame it yields must
 * re-encode to a frame that decodes to the same type and payload, and its payload goes through the CBOR validator and the
 * typed reader of its type; every byte of the input goes through fk_cobs_decode too. No crash, no sanitizer report.
 */
#include "fk_testport.h"

#include <stdlib.h>
#include <string.h>

static void check_frame(uint8_t type, const uint8_t *payload, size_t len) {
    static uint8_t wire[FK_FRAME_MAX(512)];
    size_t n;
    uint8_t again_type;
    const uint8_t *again;
    size_t again_len;
    if (fk_frame_encode(type, payload, len, wire, sizeof wire, &n) != FK_OK) {
        abort(); /* a frame that fit the decoder's buffer fits its encoding */
    }
    if (fk_frame_decode(wire, n - 1, &again_type, &again, &again_len) != FK_OK || again_type != type || again_len != len
        || memcmp(again, payload, len) != 0) {
        abort();
    }
    (void)fk_cbor_validate(payload, len);
    switch (type) {
    case FK_HELLO: {
        fk_hello h;
        (void)fk_hello_read(payload, len, &h);
        break;
    }
    case FK_PING: {
        fk_ping p;
        (void)fk_ping_read(payload, len, &p);
        break;
    }
    case FK_BUTTON: {
        int pressed;
        (void)fk_button_read(payload, len, &pressed);
        break;
    }
    case FK_METHOD_REQUEST: {
        fk_method_request m;
        if (fk_method_request_read(payload, len, &m) == FK_OK && m.payload != NULL && fk_cbor_validate(m.payload, m.payload_len) != FK_OK) {
            abort(); /* a request's payload item was skipped whole: it is one valid item */
        }
        break;
    }
    default:
        break;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static uint8_t buf[FK_COBS_MAX(512 + 3)];
    static uint8_t decoded[4096];
    fk_stream s;
    size_t n;
    fk_stream_init(&s, buf, sizeof buf);
    for (size_t i = 0; i < size; i++) {
        if (fk_stream_feed(&s, data[i]) == FK_FRAME) {
            uint8_t type;
            const uint8_t *payload;
            size_t len;
            fk_stream_frame(&s, &type, &payload, &len);
            check_frame(type, payload, len);
        }
    }
    if (size <= sizeof decoded && memchr(data, 0, size) == NULL) {
        (void)fk_cobs_decode(data, size, decoded, sizeof decoded, &n);
    }
    return 0;
}
