/* The C test port against the spec's vectors, and what it must refuse. Exits non-zero on the first failure set. */
#include "fk_testport.h"
#include "fk_vectors.h"

#include "fk_check.h"

#include <stdio.h>
#include <string.h>

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define BIG 4096

static size_t unhex(const char *hex, uint8_t *out, size_t cap) {
    size_t n = strlen(hex) / 2;
    if (n > cap) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (uint8_t)v;
    }
    return n;
}

static void crc(void) {
    CHECK(fk_crc16((const uint8_t *)"123456789", 9) == 0x29B1, "check value 0x%04x", fk_crc16((const uint8_t *)"123456789", 9));
    CHECK(fk_crc16(NULL, 0) == 0xFFFF, "empty input is the initial value");
}

/* Every vector decodes to its payload, encodes back to its exact bytes, and comes out of the streaming decoder whole. */
static void vectors(const fk_vector *v, size_t count, const char *which) {
    for (size_t i = 0; i < count; i++) {
        uint8_t wire[BIG], block[BIG], payload[BIG], again[BIG], streambuf[BIG];
        size_t wire_len = unhex(v[i].frame_hex, wire, sizeof wire);
        size_t payload_len = unhex(v[i].payload_hex, payload, sizeof payload);
        uint8_t type;
        const uint8_t *got;
        size_t got_len, again_len;
        int err;
        fk_stream s;
        CHECK(wire_len > 1 && wire[wire_len - 1] == 0, "%s %s: a frame ends with 0x00", which, v[i].name);
        memcpy(block, wire, wire_len - 1);
        err = fk_frame_decode(block, wire_len - 1, &type, &got, &got_len);
        CHECK(err == FK_OK, "%s %s: decode: %s", which, v[i].name, fk_err_name(err));
        if (err != FK_OK) {
            continue;
        }
        CHECK(got_len == payload_len && memcmp(got, payload, payload_len) == 0, "%s %s: the stated payload", which, v[i].name);
        CHECK(fk_cbor_validate(got, got_len) == FK_OK, "%s %s: well-formed definite CBOR: %s", which, v[i].name,
              fk_err_name(fk_cbor_validate(got, got_len)));
        err = fk_frame_encode(type, payload, payload_len, again, sizeof again, &again_len);
        CHECK(err == FK_OK && again_len == wire_len && memcmp(again, wire, wire_len) == 0, "%s %s: encodes back byte for byte", which,
              v[i].name);
        CHECK(again_len <= FK_FRAME_MAX(payload_len), "%s %s: within FK_FRAME_MAX", which, v[i].name);
        /* byte by byte, with idle zeros before it */
        fk_stream_init(&s, streambuf, sizeof streambuf);
        CHECK(fk_stream_feed(&s, 0) == FK_NEED_MORE, "idle 0x00");
        for (size_t k = 0; k < wire_len; k++) {
            err = fk_stream_feed(&s, wire[k]);
            CHECK(err == (k + 1 == wire_len ? FK_FRAME : FK_NEED_MORE), "%s %s: stream at byte %zu: %s", which, v[i].name, k, fk_err_name(err));
        }
        {
            uint8_t st;
            const uint8_t *sp;
            size_t sl;
            fk_stream_frame(&s, &st, &sp, &sl);
            CHECK(st == type && sl == payload_len && memcmp(sp, payload, sl) == 0, "%s %s: the streamed frame", which, v[i].name);
        }
    }
}

static void types_named(void) {
    const char *names[] = {"", "hello", "telemetry", "event", "method-request", "method-response", "button", "led", "log", "ping"};
    for (size_t i = 0; i < COUNT(FK_TEST_PORT_VECTORS); i++) {
        uint8_t wire[BIG];
        size_t n = unhex(FK_TEST_PORT_VECTORS[i].frame_hex, wire, sizeof wire);
        uint8_t type;
        const uint8_t *p;
        size_t pl;
        fk_frame_decode(wire, n - 1, &type, &p, &pl);
        CHECK(type < COUNT(names) && strcmp(names[type], FK_TEST_PORT_VECTORS[i].type) == 0, "%s: type byte 0x%02x",
              FK_TEST_PORT_VECTORS[i].name, type);
    }
}

static void cobs_runs(void) {
    static const size_t lengths[] = {0, 1, 253, 254, 255, 508, 509, 1000};
    for (size_t l = 0; l < COUNT(lengths); l++) {
        for (int zeros = 0; zeros < 2; zeros++) {
            uint8_t in[1000], enc[1100], dec[1100];
            size_t n = lengths[l], el, dl;
            for (size_t i = 0; i < n; i++) {
                in[i] = (uint8_t)(zeros && i % 97 == 0 ? 0 : 1 + i % 255);
            }
            CHECK(fk_cobs_encode(in, n, enc, sizeof enc, &el) == FK_OK, "encode %zu", n);
            CHECK(el <= FK_COBS_MAX(n), "length %zu within the worst case", n);
            CHECK(memchr(enc, 0, el) == NULL, "no 0x00 in an encoded block of %zu", n);
            CHECK(fk_cobs_decode(enc, el, dec, sizeof dec, &dl) == FK_OK && dl == n && memcmp(dec, in, n) == 0, "round trip %zu", n);
            CHECK(fk_cobs_encode(in, n, enc, el - 1, &el) == FK_ERR_BUFFER_TOO_SMALL || n == 0, "one byte short for %zu", n);
        }
    }
    {
        const uint8_t past_end[] = {0x05, 0x11, 0x22};
        const uint8_t zero_inside[] = {0x03, 0x11, 0x00};
        uint8_t out[8];
        size_t n;
        CHECK(fk_cobs_decode(past_end, sizeof past_end, out, sizeof out, &n) == FK_ERR_COBS, "a code past the end");
        CHECK(fk_cobs_decode(zero_inside, sizeof zero_inside, out, sizeof out, &n) == FK_ERR_COBS, "a 0x00 inside");
    }
}

/* Corrupt input is refused with the right code, and the streaming decoder carries on with the next frame. */
static void refusals(void) {
    uint8_t wire[BIG], bad[BIG], buf[BIG];
    size_t n = unhex(FK_TEST_PORT_VECTORS[0].frame_hex, wire, sizeof wire); /* hello */
    uint8_t type;
    const uint8_t *p;
    size_t pl;
    fk_stream s;

    memcpy(bad, wire, n);
    bad[10] ^= 0x01; /* a payload bit */
    CHECK(fk_frame_decode(bad, n - 1, &type, &p, &pl) == FK_ERR_CRC, "a flipped bit is a CRC error");
    memcpy(bad, wire, n);
    CHECK(fk_frame_decode(bad, n - 6, &type, &p, &pl) == FK_ERR_COBS, "a truncated block is a COBS error");
    {
        uint8_t tiny[] = {0x03, 0x01, 0x02};
        CHECK(fk_frame_decode(tiny, sizeof tiny, &type, &p, &pl) == FK_ERR_TOO_SHORT, "two bytes are too short");
    }
    {
        uint8_t raw[] = {0x42, 0xa0};
        uint8_t frame[16];
        size_t fl;
        fk_frame_encode(0x42, raw + 1, 1, frame, sizeof frame, &fl);
        CHECK(fk_frame_decode(frame, fl - 1, &type, &p, &pl) == FK_ERR_UNKNOWN_TYPE, "type 0x42");
        CHECK(fk_frame_encode(FK_PING, raw, 2, frame, 4, &fl) == FK_ERR_BUFFER_TOO_SMALL, "encode into too little");
    }

    /* garbage, a corrupt frame, an oversize block, then a good frame: each drop counted, the good one decoded */
    fk_stream_init(&s, buf, 128); /* the hello frame fits, a 200-byte block does not */
    {
        const uint8_t garbage[] = {0x13, 0x37, 0xff, 0x00};
        int last = 0;
        for (size_t i = 0; i < sizeof garbage; i++) {
            last = fk_stream_feed(&s, garbage[i]);
        }
        CHECK(last < 0, "garbage is dropped at its 0x00: %s", fk_err_name(last));
    }
    memcpy(bad, wire, n);
    bad[5] ^= 0x40;
    {
        int last = 0;
        for (size_t i = 0; i < n; i++) {
            last = fk_stream_feed(&s, bad[i]);
        }
        CHECK(last == FK_ERR_CRC, "corrupt frame: %s", fk_err_name(last));
    }
    {
        int last = 0;
        for (int i = 0; i < 200; i++) {
            last = fk_stream_feed(&s, 0x55);
        }
        CHECK(last == FK_NEED_MORE, "an oversize block is held back until its end");
        CHECK(fk_stream_feed(&s, 0) == FK_ERR_OVERSIZE, "then dropped as oversize");
    }
    {
        uint8_t ping_wire[64];
        size_t pn = 0;
        int last = 0;
        for (size_t i = 0; i < COUNT(FK_TEST_PORT_VECTORS); i++) {
            if (strcmp(FK_TEST_PORT_VECTORS[i].type, "ping") == 0) {
                pn = unhex(FK_TEST_PORT_VECTORS[i].frame_hex, ping_wire, sizeof ping_wire);
            }
        }
        for (size_t i = 0; i < pn; i++) {
            last = fk_stream_feed(&s, ping_wire[i]);
        }
        CHECK(last == FK_FRAME, "the decoder resynchronised: %s", fk_err_name(last));
        CHECK(s.frames == 1 && s.dropped == 3, "counted: %u frames, %u dropped", (unsigned)s.frames, (unsigned)s.dropped);
    }
}

static void cbor(void) {
    uint8_t buf[256], hello[256];
    fk_cbor_writer w;
    fk_cbor_reader r;
    size_t pairs, n, hl = unhex(FK_TEST_PORT_VECTORS[0].payload_hex, hello, sizeof hello);
    const char *s;
    uint64_t u;
    int64_t i;
    double d;
    int b;

    /* the hello vector, written field by field */
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_map(&w, 4);
    fk_cbor_text(&w, "protocolVersion");
    fk_cbor_uint(&w, 1);
    fk_cbor_text(&w, "deviceId");
    fk_cbor_text(&w, "dev-001");
    fk_cbor_text(&w, "firmwareVersion");
    fk_cbor_text(&w, "1.4.2");
    fk_cbor_text(&w, "modelId");
    fk_cbor_text(&w, "thermostat");
    CHECK(w.err == FK_OK && w.len == hl && memcmp(buf, hello, hl) == 0, "the hello payload, byte for byte");

    fk_cbor_reader_init(&r, hello, hl);
    CHECK(fk_cbor_read_map(&r, &pairs) == FK_OK && pairs == 4, "a map of four");
    CHECK(fk_cbor_read_text(&r, &s, &n) == FK_OK && n == 15 && memcmp(s, "protocolVersion", n) == 0, "first key");
    CHECK(fk_cbor_read_text(&r, &s, &n) == FK_ERR_CBOR_TYPE, "an integer is not text");
    CHECK(fk_cbor_read_uint(&r, &u) == FK_OK && u == 1, "protocolVersion 1");
    CHECK(fk_cbor_skip(&r) == FK_OK && fk_cbor_skip(&r) == FK_OK, "skip a pair");
    CHECK(fk_cbor_read_text(&r, &s, &n) == FK_OK && n == 15, "firmwareVersion key");

    /* numbers, booleans, null, nesting */
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_cbor_array(&w, 7);
    fk_cbor_int(&w, -500);
    fk_cbor_uint(&w, 0xFFFFFFFFFFull);
    fk_cbor_double(&w, 21.5);
    fk_cbor_bool(&w, 1);
    fk_cbor_null(&w);
    fk_cbor_bytes(&w, (const uint8_t *)"\x01\x02", 2);
    fk_cbor_map(&w, 0);
    CHECK(w.err == FK_OK && fk_cbor_validate(buf, w.len) == FK_OK, "a mixed array is valid");
    fk_cbor_reader_init(&r, buf, w.len);
    CHECK(fk_cbor_read_array(&r, &n) == FK_OK && n == 7, "seven items");
    CHECK(fk_cbor_read_int(&r, &i) == FK_OK && i == -500, "-500");
    CHECK(fk_cbor_read_int(&r, &i) == FK_OK && i == 0xFFFFFFFFFFll, "a 40-bit integer");
    CHECK(fk_cbor_read_double(&r, &d) == FK_OK && d == 21.5, "21.5");
    CHECK(fk_cbor_read_bool(&r, &b) == FK_OK && b == 1, "true");
    CHECK(fk_cbor_skip(&r) == FK_OK && fk_cbor_skip(&r) == FK_OK && fk_cbor_skip(&r) == FK_OK && r.pos == w.len, "the rest skipped");

    /* what is refused */
    {
        const uint8_t indefinite[] = {0xbf, 0x61, 0x61, 0x01, 0xff};
        const uint8_t tag[] = {0xc1, 0x1a, 0x00, 0x00, 0x00, 0x01};
        const uint8_t half[] = {0xf9, 0x3c, 0x00};
        const uint8_t truncated[] = {0xa2, 0x61, 0x61, 0x01, 0x61};
        const uint8_t long_text[] = {0x78, 0xff, 0x61};
        const uint8_t huge_map[] = {0xbb, 0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        const uint8_t too_big[] = {0x1b, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
        const uint8_t two[] = {0x01, 0x02};
        uint8_t deep[40];
        memset(deep, 0x81, sizeof deep - 1);
        deep[sizeof deep - 1] = 0x00;
        CHECK(fk_cbor_validate(indefinite, sizeof indefinite) == FK_ERR_CBOR_UNSUPPORTED, "indefinite length");
        CHECK(fk_cbor_validate(tag, sizeof tag) == FK_ERR_CBOR_UNSUPPORTED, "a tag");
        CHECK(fk_cbor_validate(half, sizeof half) == FK_ERR_CBOR_UNSUPPORTED, "a half float");
        CHECK(fk_cbor_validate(truncated, sizeof truncated) == FK_ERR_CBOR_TRUNCATED, "a map cut short");
        CHECK(fk_cbor_validate(long_text, sizeof long_text) == FK_ERR_CBOR_TRUNCATED, "text longer than the payload");
        CHECK(fk_cbor_validate(huge_map, sizeof huge_map) == FK_ERR_CBOR_TRUNCATED, "a map count past the payload");
        CHECK(fk_cbor_validate(two, sizeof two) == FK_ERR_TRAILING, "two top-level items");
        CHECK(fk_cbor_validate(deep, sizeof deep) == FK_ERR_CBOR_UNSUPPORTED, "nesting past FK_CBOR_MAX_DEPTH");
        fk_cbor_reader_init(&r, too_big, sizeof too_big);
        CHECK(fk_cbor_read_int(&r, &i) == FK_ERR_CBOR_RANGE && r.pos == 0, "2^64-1 is no int64, and the cursor stays");
        fk_cbor_writer_init(&w, buf, 3);
        fk_cbor_text(&w, "longer");
        fk_cbor_uint(&w, 1);
        CHECK(w.err == FK_ERR_BUFFER_TOO_SMALL && w.len == 1, "a writer past its buffer stops at the first error (the text's head fit)");
    }
}

static size_t vector_payload(const char *name, uint8_t *out, size_t cap) {
    for (size_t i = 0; i < COUNT(FK_TEST_PORT_VECTORS); i++) {
        if (strcmp(FK_TEST_PORT_VECTORS[i].name, name) == 0) {
            return unhex(FK_TEST_PORT_VECTORS[i].payload_hex, out, cap);
        }
    }
    fprintf(stderr, "no vector %s\n", name);
    failures++;
    return 0;
}

static int same(const fk_cbor_writer *w, const uint8_t *expected, size_t n) {
    return w->err == FK_OK && w->len == n && memcmp(w->buf, expected, n) == 0;
}

static int str_is(fk_str s, const char *text) {
    return s.n == strlen(text) && memcmp(s.s, text, s.n) == 0;
}

/* Each typed payload reads its vector field by field and writes it back byte for byte. */
static void payloads(void) {
    uint8_t v[512], buf[512];
    size_t n;
    fk_cbor_writer w;

    n = vector_payload("hello", v, sizeof v);
    {
        fk_hello h;
        CHECK(fk_hello_read(v, n, &h) == FK_OK && h.protocol_version == 1 && str_is(h.device_id, "dev-001")
              && str_is(h.firmware_version, "1.4.2") && str_is(h.model_id, "thermostat"), "hello read");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_hello_write(&w, "dev-001", "1.4.2", "thermostat");
        CHECK(same(&w, v, n), "hello written");
    }
    n = vector_payload("ping", v, sizeof v);
    {
        fk_ping p;
        CHECK(fk_ping_read(v, n, &p) == FK_OK && p.seq == 3 && p.reply == 0, "ping read");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_ping_write(&w, 3, 0);
        CHECK(same(&w, v, n), "ping written");
    }
    n = vector_payload("button", v, sizeof v);
    {
        int pressed = 0;
        CHECK(fk_button_read(v, n, &pressed) == FK_OK && pressed == 1, "button read");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_button_write(&w, 1);
        CHECK(same(&w, v, n), "button written");
    }
    n = vector_payload("led", v, sizeof v);
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_led_write(&w, "blink", "green", 500);
    CHECK(same(&w, v, n), "led written");
    n = vector_payload("log", v, sizeof v);
    fk_cbor_writer_init(&w, buf, sizeof buf);
    fk_log_write(&w, "info", "mqtt connected");
    CHECK(same(&w, v, n), "log written");
    n = vector_payload("method-request", v, sizeof v);
    {
        fk_method_request m;
        fk_cbor_reader r;
        size_t pairs;
        fk_str k;
        uint64_t interval;
        CHECK(fk_method_request_read(v, n, &m) == FK_OK && m.rid == 7 && str_is(m.method, "setTelemetryInterval") && m.payload != NULL,
              "method request read");
        fk_cbor_reader_init(&r, m.payload, m.payload_len);
        CHECK(fk_cbor_read_map(&r, &pairs) == FK_OK && pairs == 1 && fk_cbor_read_text(&r, &k.s, &k.n) == FK_OK
              && fk_cbor_read_uint(&r, &interval) == FK_OK && interval == 30, "its payload: intervalSeconds 30");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_method_request_write(&w, 7, "setTelemetryInterval", m.payload, m.payload_len);
        CHECK(same(&w, v, n), "method request written");
    }
    n = vector_payload("method-response", v, sizeof v);
    {
        uint8_t answer[64];
        fk_cbor_writer a;
        fk_cbor_writer_init(&a, answer, sizeof answer);
        fk_cbor_map(&a, 2);
        fk_cbor_text(&a, "intervalSeconds");
        fk_cbor_uint(&a, 30);
        fk_cbor_text(&a, "previousIntervalSeconds");
        fk_cbor_uint(&a, 60);
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_method_response_write(&w, 7, 200, answer, a.len);
        CHECK(same(&w, v, n), "method response written");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_method_response_write(&w, 7, 42, NULL, 0);
        CHECK(w.err == FK_ERR_CBOR_RANGE, "a status outside 100–999");
    }
    /* refusals of the typed readers */
    {
        fk_hello h;
        fk_ping p;
        int pressed;
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_cbor_map(&w, 1);
        fk_cbor_text(&w, "seq");
        fk_cbor_uint(&w, 1);
        CHECK(fk_ping_read(buf, w.len, &p) == FK_ERR_MISSING_FIELD, "a ping without reply");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_cbor_map(&w, 2);
        fk_cbor_text(&w, "seq");
        fk_cbor_double(&w, 1.5);
        fk_cbor_text(&w, "reply");
        fk_cbor_bool(&w, 1);
        CHECK(fk_ping_read(buf, w.len, &p) == FK_ERR_CBOR_TYPE, "a float seq (whole numbers are integers)");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_hello_write(&w, "", "1.4.2", "thermostat");
        CHECK(fk_hello_read(buf, w.len, &h) == FK_ERR_CBOR_RANGE, "an empty device id");
        fk_cbor_writer_init(&w, buf, sizeof buf);
        fk_cbor_map(&w, 2);
        fk_cbor_text(&w, "note");
        fk_cbor_array(&w, 0);
        fk_cbor_text(&w, "action");
        fk_cbor_text(&w, "held");
        CHECK(fk_button_read(buf, w.len, &pressed) == FK_ERR_CBOR_RANGE, "an action outside pressed/released (unknown keys skipped)");
        CHECK(fk_button_read(buf, w.len - 1, &pressed) == FK_ERR_CBOR_TRUNCATED, "cut short");
        CHECK(fk_ping_read((const uint8_t *)"\x01", 1, &p) == FK_ERR_CBOR_TYPE, "not a map");
    }
}

int main(void) {
    crc();
    vectors(FK_TEST_PORT_VECTORS, COUNT(FK_TEST_PORT_VECTORS), "test-port");
    vectors(FK_DEVICE_MESSAGE_VECTORS, COUNT(FK_DEVICE_MESSAGE_VECTORS), "device-message");
    types_named();
    cobs_runs();
    refusals();
    cbor();
    payloads();
    printf("%d checks, %d failed (%zu test-port vectors, %zu device-message vectors)\n", checks, failures,
           COUNT(FK_TEST_PORT_VECTORS), COUNT(FK_DEVICE_MESSAGE_VECTORS));
    return failures == 0 ? 0 : 1;
}
