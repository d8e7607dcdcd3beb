/*
 * fleetkit test port, in C99: the framing, checksum and CBOR of the contract in protocol/spec/ and
 * hil-bridge/README.md, for firmware. No dynamic memory, no dependencies beyond <stddef.h>/<stdint.h>:
 * every function works in buffers the caller owns.
 *
 *   frame on the wire = COBS(type || CBOR payload || CRC-16/CCITT-FALSE(type || payload), big-endian) 0x00
 */
#ifndef FK_TESTPORT_H
#define FK_TESTPORT_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- errors: what was wrong, never just "failed" ---- */
typedef enum {
    FK_OK = 0,
    FK_NEED_MORE = 1,          /* streaming decoder: no whole frame yet (not an error) */
    FK_FRAME = 2,              /* streaming decoder: a frame is ready (not an error) */
    FK_ERR_BUFFER_TOO_SMALL = -1,  /* the output buffer cannot hold the result */
    FK_ERR_OVERSIZE = -2,      /* a block longer than the decoder's buffer: dropped up to the next 0x00 */
    FK_ERR_COBS = -3,          /* a COBS block that does not decode (a code pointing past the end, a 0x00 inside) */
    FK_ERR_TOO_SHORT = -4,     /* fewer than 3 bytes: no room for a type and a CRC */
    FK_ERR_CRC = -5,           /* the CRC does not match type and payload */
    FK_ERR_UNKNOWN_TYPE = -6,  /* a frame type this protocol version does not define */
    FK_ERR_CBOR_TRUNCATED = -7,    /* CBOR ends inside an item */
    FK_ERR_CBOR_TYPE = -8,     /* a CBOR item of another type than asked for */
    FK_ERR_CBOR_UNSUPPORTED = -9,  /* indefinite lengths, tags, half floats, or nesting deeper than FK_CBOR_MAX_DEPTH */
    FK_ERR_CBOR_RANGE = -10,   /* a number out of the range asked for */
    FK_ERR_MISSING_FIELD = -11,    /* a required key is absent from a map */
    FK_ERR_TRAILING = -12      /* bytes after the payload's single top-level item */
} fk_err;

/* A short, stable name of an error or status, e.g. "crc" for FK_ERR_CRC. */
const char *fk_err_name(int err);

/* ---- frame types (hil-bridge/README.md) ---- */
enum {
    FK_HELLO = 0x01,
    FK_TELEMETRY = 0x02,
    FK_EVENT = 0x03,
    FK_METHOD_REQUEST = 0x04,
    FK_METHOD_RESPONSE = 0x05,
    FK_BUTTON = 0x06,
    FK_LED = 0x07,
    FK_LOG = 0x08,
    FK_PING = 0x09
};

/* ---- CRC-16/CCITT-FALSE: poly 0x1021, init 0xFFFF, no reflection, no xor-out; "123456789" -> 0x29B1 ---- */
uint16_t fk_crc16(const uint8_t *data, size_t len);
uint16_t fk_crc16_update(uint16_t crc, const uint8_t *data, size_t len);

/* ---- COBS (without the trailing 0x00) ---- */
/* Worst-case encoded size of n bytes: n + n/254 + 1. */
#define FK_COBS_MAX(n) ((n) + (n) / 254u + 1u)
int fk_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* Decodes a block (no 0x00 in it); out may be in: decoding in place is safe. */
int fk_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len);

/* ---- frames ---- */
/* Wire size of a frame with a payload of n bytes, the trailing 0x00 included. */
#define FK_FRAME_MAX(n) (FK_COBS_MAX((n) + 3u) + 1u)
/* Encodes type + payload into out: COBS block and the 0x00 delimiter. */
int fk_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap, size_t *out_len);
/* Decodes one block (the bytes between two 0x00) in place: on FK_OK type, payload and payload_len point into block. */
int fk_frame_decode(uint8_t *block, size_t len, uint8_t *type, const uint8_t **payload, size_t *payload_len);

/*
 * The streaming decoder, fed one byte at a time (from a UART interrupt or a main loop). It keeps the
 * bytes of the current block in a buffer of the caller's and, at each 0x00, decodes it:
 *   FK_NEED_MORE  nothing yet;
 *   FK_FRAME      a frame: read it with fk_stream_frame() before the next feed;
 *   < 0           a block was dropped (FK_ERR_OVERSIZE, FK_ERR_COBS, FK_ERR_TOO_SHORT, FK_ERR_CRC,
 *                 FK_ERR_UNKNOWN_TYPE) and counted; decoding resumes with the next block.
 * Idle 0x00 bytes between frames are skipped. The buffer must hold the largest encoded frame the
 * firmware accepts: FK_COBS_MAX(payload + 3).
 */
typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int overflowed;
    uint8_t type;
    const uint8_t *payload;
    size_t payload_len;
    uint32_t frames;
    uint32_t dropped;
} fk_stream;

void fk_stream_init(fk_stream *s, uint8_t *buf, size_t cap);
int fk_stream_feed(fk_stream *s, uint8_t byte);
void fk_stream_frame(const fk_stream *s, uint8_t *type, const uint8_t **payload, size_t *payload_len);

/* ---- CBOR (RFC 8949), the definite-length subset the payloads use ---- */
#define FK_CBOR_MAX_DEPTH 16

typedef enum {
    FK_CBOR_UINT, FK_CBOR_NINT, FK_CBOR_BYTES, FK_CBOR_TEXT, FK_CBOR_ARRAY, FK_CBOR_MAP,
    FK_CBOR_FALSE, FK_CBOR_TRUE, FK_CBOR_NULL, FK_CBOR_FLOAT
} fk_cbor_type;

typedef struct {
    uint8_t *buf;
    size_t cap;
    size_t len;
    int err; /* the first error; every later call does nothing */
} fk_cbor_writer;

void fk_cbor_writer_init(fk_cbor_writer *w, uint8_t *buf, size_t cap);
void fk_cbor_map(fk_cbor_writer *w, size_t pairs);
void fk_cbor_array(fk_cbor_writer *w, size_t items);
void fk_cbor_uint(fk_cbor_writer *w, uint64_t v);
void fk_cbor_int(fk_cbor_writer *w, int64_t v);
void fk_cbor_text(fk_cbor_writer *w, const char *s);
void fk_cbor_text_n(fk_cbor_writer *w, const char *s, size_t n);
void fk_cbor_bytes(fk_cbor_writer *w, const uint8_t *b, size_t n);
void fk_cbor_bool(fk_cbor_writer *w, int v);
void fk_cbor_null(fk_cbor_writer *w);
void fk_cbor_double(fk_cbor_writer *w, double v);
/* One item already encoded (a method's payload), copied as it is. */
void fk_cbor_raw(fk_cbor_writer *w, const uint8_t *item, size_t n);

/* A reader over one payload: a cursor that reads items in order, or skips them. */
typedef struct {
    const uint8_t *buf;
    size_t len;
    size_t pos;
} fk_cbor_reader;

void fk_cbor_reader_init(fk_cbor_reader *r, const uint8_t *buf, size_t len);
int fk_cbor_peek(const fk_cbor_reader *r, fk_cbor_type *type);
int fk_cbor_read_map(fk_cbor_reader *r, size_t *pairs);
int fk_cbor_read_array(fk_cbor_reader *r, size_t *items);
int fk_cbor_read_uint(fk_cbor_reader *r, uint64_t *v);
int fk_cbor_read_int(fk_cbor_reader *r, int64_t *v);
/* Text without a copy: *s points into the payload, not terminated. */
int fk_cbor_read_text(fk_cbor_reader *r, const char **s, size_t *n);
int fk_cbor_read_bytes(fk_cbor_reader *r, const uint8_t **b, size_t *n);
int fk_cbor_read_bool(fk_cbor_reader *r, int *v);
int fk_cbor_read_double(fk_cbor_reader *r, double *v);
int fk_cbor_skip(fk_cbor_reader *r);
/* Checks that the payload is exactly one well-formed item of the supported subset. */
int fk_cbor_validate(const uint8_t *buf, size_t len);

/* ---- the test port's frame payloads (protocol/spec/schemas/test-port), in the key order of the vectors ---- */

/* Text inside a payload: not NUL-terminated, valid while the payload is. */
typedef struct {
    const char *s;
    size_t n;
} fk_str;

typedef struct {
    uint32_t protocol_version; /* 1 */
    fk_str device_id;          /* 1–128 bytes */
    fk_str firmware_version;   /* 1–32 */
    fk_str model_id;           /* 1–64 */
} fk_hello;

typedef struct {
    uint64_t seq;
    int reply; /* 0: a request to answer, 1: the answer */
} fk_ping;

typedef struct {
    uint64_t rid;
    fk_str method;           /* 1–128 bytes */
    const uint8_t *payload;  /* its CBOR item, or NULL when the request has none */
    size_t payload_len;
} fk_method_request;

/* Readers: the payload must be exactly one map; unknown keys are skipped; a missing required key is FK_ERR_MISSING_FIELD,
 * a value out of its schema's range FK_ERR_CBOR_RANGE, a value of another type FK_ERR_CBOR_TYPE. */
int fk_hello_read(const uint8_t *payload, size_t len, fk_hello *out);
int fk_ping_read(const uint8_t *payload, size_t len, fk_ping *out);
int fk_button_read(const uint8_t *payload, size_t len, int *pressed);
int fk_method_request_read(const uint8_t *payload, size_t len, fk_method_request *out);

/* Writers (the error, if any, in w->err). */
void fk_hello_write(fk_cbor_writer *w, const char *device_id, const char *firmware_version, const char *model_id);
void fk_ping_write(fk_cbor_writer *w, uint64_t seq, int reply);
void fk_button_write(fk_cbor_writer *w, int pressed);
void fk_led_write(fk_cbor_writer *w, const char *mode, const char *color, uint32_t period_ms); /* mode: off, on, blink */
void fk_log_write(fk_cbor_writer *w, const char *level, const char *text);                    /* level: debug, info, warn, error */
void fk_method_request_write(fk_cbor_writer *w, uint64_t rid, const char *method, const uint8_t *payload, size_t payload_len);
/* status: 100–999 (200 ok, 404 unknown method …); payload: one encoded CBOR item, or NULL for none. */
void fk_method_response_write(fk_cbor_writer *w, uint64_t rid, int status, const uint8_t *payload, size_t payload_len);

#ifdef __cplusplus
}
#endif
#endif
