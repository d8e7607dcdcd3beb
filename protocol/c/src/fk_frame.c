/* fleetkit test port: CRC-16/CCITT-FALSE, COBS, frames and the streaming decoder. */
#include "fk_testport.h"

const char *fk_err_name(int err) {
    switch (err) {
    case FK_OK: return "ok";
    case FK_NEED_MORE: return "need-more";
    case FK_FRAME: return "frame";
    case FK_ERR_BUFFER_TOO_SMALL: return "buffer-too-small";
    case FK_ERR_OVERSIZE: return "oversize";
    case FK_ERR_COBS: return "cobs";
    case FK_ERR_TOO_SHORT: return "too-short";
    case FK_ERR_CRC: return "crc";
    case FK_ERR_UNKNOWN_TYPE: return "unknown-type";
    case FK_ERR_CBOR_TRUNCATED: return "cbor-truncated";
    case FK_ERR_CBOR_TYPE: return "cbor-type";
    case FK_ERR_CBOR_UNSUPPORTED: return "cbor-unsupported";
    case FK_ERR_CBOR_RANGE: return "cbor-range";
    case FK_ERR_MISSING_FIELD: return "missing-field";
    case FK_ERR_TRAILING: return "trailing";
    default: return "unknown-error";
    }
}

uint16_t fk_crc16_update(uint16_t crc, const uint8_t *data, size_t len) {
    uint32_t c = crc; /* bit by bit: no 512-byte table in the firmware's flash */
    for (size_t i = 0; i < len; i++) {
        c ^= (uint32_t)data[i] << 8;
        for (int bit = 0; bit < 8; bit++) {
            c = (c & 0x8000u) ? ((c << 1) ^ 0x1021u) : (c << 1);
        }
        c &= 0xFFFFu;
    }
    return (uint16_t)c;
}

uint16_t fk_crc16(const uint8_t *data, size_t len) {
    return fk_crc16_update(0xFFFFu, data, len);
}

/* COBS over the concatenation of n parts, in one pass (a frame's type, payload and CRC need no staging buffer). */
static int cobs_encode_parts(const uint8_t *const *parts, const size_t *lens, int n, uint8_t *out, size_t cap, size_t *out_len) {
    size_t code_at = 0;
    size_t o = 1;
    uint8_t code = 1;
    if (cap < 1) {
        return FK_ERR_BUFFER_TOO_SMALL;
    }
    for (int p = 0; p < n; p++) {
        for (size_t i = 0; i < lens[p]; i++) {
            uint8_t b = parts[p][i];
            if (o >= cap) { /* a data byte or a new block's code goes at o */
                return FK_ERR_BUFFER_TOO_SMALL;
            }
            if (b == 0) {
                out[code_at] = code;
                code_at = o++;
                code = 1;
            } else {
                out[o++] = b;
                if (++code == 0xFF) { /* a full run of 254: its block ends without an implied zero */
                    if (o >= cap) {
                        return FK_ERR_BUFFER_TOO_SMALL;
                    }
                    out[code_at] = code;
                    code_at = o++;
                    code = 1;
                }
            }
        }
    }
    out[code_at] = code; /* code_at < cap: every block start was checked */
    *out_len = o;
    return FK_OK;
}

int fk_cobs_encode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    const uint8_t *parts[1];
    size_t lens[1];
    parts[0] = in;
    lens[0] = len;
    return cobs_encode_parts(parts, lens, 1, out, cap, out_len);
}

int fk_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    size_t i = 0;
    size_t o = 0;
    while (i < len) {
        uint8_t code = in[i++];
        if (code == 0) {
            return FK_ERR_COBS;
        }
        if ((size_t)(code - 1) > len - i) {
            return FK_ERR_COBS; /* the block claims more bytes than there are */
        }
        for (uint8_t k = 1; k < code; k++) {
            if (in[i] == 0) {
                return FK_ERR_COBS;
            }
            if (o >= cap) {
                return FK_ERR_BUFFER_TOO_SMALL;
            }
            out[o++] = in[i++];
        }
        if (code != 0xFF && i < len) { /* an implied zero, except after a full run and at the end */
            if (o >= cap) {
                return FK_ERR_BUFFER_TOO_SMALL;
            }
            out[o++] = 0;
        }
    }
    *out_len = o;
    return FK_OK;
}

static int known_type(uint8_t type) {
    return type >= FK_HELLO && type <= FK_PING;
}

int fk_frame_encode(uint8_t type, const uint8_t *payload, size_t len, uint8_t *out, size_t cap, size_t *out_len) {
    uint8_t head[1];
    uint8_t tail[2];
    const uint8_t *parts[3];
    size_t lens[3];
    size_t n;
    int err;
    uint16_t crc = fk_crc16_update(fk_crc16_update(0xFFFFu, &type, 1), payload, len);
    head[0] = type;
    tail[0] = (uint8_t)(crc >> 8);
    tail[1] = (uint8_t)(crc & 0xFFu);
    parts[0] = head;
    lens[0] = 1;
    parts[1] = payload;
    lens[1] = len;
    parts[2] = tail;
    lens[2] = 2;
    if (cap < 1) {
        return FK_ERR_BUFFER_TOO_SMALL;
    }
    err = cobs_encode_parts(parts, lens, 3, out, cap - 1, &n); /* room kept for the delimiter */
    if (err != FK_OK) {
        return err;
    }
    out[n] = 0;
    *out_len = n + 1;
    return FK_OK;
}

int fk_frame_decode(uint8_t *block, size_t len, uint8_t *type, const uint8_t **payload, size_t *payload_len) {
    size_t n;
    int err = fk_cobs_decode(block, len, block, len, &n);
    if (err != FK_OK) {
        return err == FK_ERR_BUFFER_TOO_SMALL ? FK_ERR_COBS : err;
    }
    if (n < 3) {
        return FK_ERR_TOO_SHORT;
    }
    if (fk_crc16(block, n - 2) != (uint16_t)((block[n - 2] << 8) | block[n - 1])) {
        return FK_ERR_CRC;
    }
    if (!known_type(block[0])) {
        return FK_ERR_UNKNOWN_TYPE;
    }
    *type = block[0];
    *payload = block + 1;
    *payload_len = n - 3;
    return FK_OK;
}

void fk_stream_init(fk_stream *s, uint8_t *buf, size_t cap) {
    s->buf = buf;
    s->cap = cap;
    s->len = 0;
    s->overflowed = 0;
    s->type = 0;
    s->payload = 0;
    s->payload_len = 0;
    s->frames = 0;
    s->dropped = 0;
}

int fk_stream_feed(fk_stream *s, uint8_t byte) {
    if (byte != 0) {
        if (s->len < s->cap) {
            s->buf[s->len++] = byte;
        } else {
            s->overflowed = 1; /* keep nothing more of this block; it is dropped at its 0x00 */
        }
        return FK_NEED_MORE;
    }
    if (s->overflowed) {
        s->overflowed = 0;
        s->len = 0;
        s->dropped++;
        return FK_ERR_OVERSIZE;
    }
    if (s->len == 0) {
        return FK_NEED_MORE; /* idle filler between frames */
    }
    {
        size_t len = s->len;
        int err;
        s->len = 0;
        err = fk_frame_decode(s->buf, len, &s->type, &s->payload, &s->payload_len);
        if (err != FK_OK) {
            s->dropped++;
            return err;
        }
    }
    s->frames++;
    return FK_FRAME;
}

void fk_stream_frame(const fk_stream *s, uint8_t *type, const uint8_t **payload, size_t *payload_len) {
    *type = s->type;
    *payload = s->payload;
    *payload_len = s->payload_len;
}
