/* fleetkit test port: the definite-length CBOR (RFC 8949) the payloads use — a writer and a cursor reader. */
#include "fk_testport.h"

#include <string.h>

/* ---- writer ---- */

void fk_cbor_writer_init(fk_cbor_writer *w, uint8_t *buf, size_t cap) {
    w->buf = buf;
    w->cap = cap;
    w->len = 0;
    w->err = FK_OK;
}

static void put(fk_cbor_writer *w, const uint8_t *b, size_t n) {
    if (w->err != FK_OK) {
        return;
    }
    if (n > w->cap - w->len) {
        w->err = FK_ERR_BUFFER_TOO_SMALL;
        return;
    }
    memcpy(w->buf + w->len, b, n);
    w->len += n;
}

/* A head in its shortest form (deterministic encoding, RFC 8949 §4.2.1). */
static void head(fk_cbor_writer *w, uint8_t major, uint64_t v) {
    uint8_t h[9];
    size_t n;
    uint8_t m = (uint8_t)(major << 5);
    if (v < 24) {
        h[0] = (uint8_t)(m | v);
        n = 1;
    } else if (v <= 0xFFu) {
        h[0] = (uint8_t)(m | 24);
        h[1] = (uint8_t)v;
        n = 2;
    } else if (v <= 0xFFFFu) {
        h[0] = (uint8_t)(m | 25);
        h[1] = (uint8_t)(v >> 8);
        h[2] = (uint8_t)v;
        n = 3;
    } else if (v <= 0xFFFFFFFFu) {
        h[0] = (uint8_t)(m | 26);
        for (int i = 0; i < 4; i++) {
            h[1 + i] = (uint8_t)(v >> (24 - 8 * i));
        }
        n = 5;
    } else {
        h[0] = (uint8_t)(m | 27);
        for (int i = 0; i < 8; i++) {
            h[1 + i] = (uint8_t)(v >> (56 - 8 * i));
        }
        n = 9;
    }
    put(w, h, n);
}

void fk_cbor_map(fk_cbor_writer *w, size_t pairs) {
    head(w, 5, pairs);
}

void fk_cbor_array(fk_cbor_writer *w, size_t items) {
    head(w, 4, items);
}

void fk_cbor_uint(fk_cbor_writer *w, uint64_t v) {
    head(w, 0, v);
}

void fk_cbor_int(fk_cbor_writer *w, int64_t v) {
    if (v >= 0) {
        head(w, 0, (uint64_t)v);
    } else {
        head(w, 1, (uint64_t)(-(v + 1)));
    }
}

void fk_cbor_text_n(fk_cbor_writer *w, const char *s, size_t n) {
    head(w, 3, n);
    put(w, (const uint8_t *)s, n);
}

void fk_cbor_text(fk_cbor_writer *w, const char *s) {
    fk_cbor_text_n(w, s, strlen(s));
}

void fk_cbor_bytes(fk_cbor_writer *w, const uint8_t *b, size_t n) {
    head(w, 2, n);
    put(w, b, n);
}

void fk_cbor_bool(fk_cbor_writer *w, int v) {
    uint8_t b = v ? 0xF5 : 0xF4;
    put(w, &b, 1);
}

void fk_cbor_null(fk_cbor_writer *w) {
    uint8_t b = 0xF6;
    put(w, &b, 1);
}

/* Always 64-bit, as the hub's encoder writes a JSON number with a fraction (a whole number is an integer: fk_cbor_int). */
void fk_cbor_double(fk_cbor_writer *w, double v) {
    uint64_t bits;
    uint8_t h[9];
    memcpy(&bits, &v, sizeof bits);
    h[0] = 0xFB;
    for (int i = 0; i < 8; i++) {
        h[1 + i] = (uint8_t)(bits >> (56 - 8 * i));
    }
    put(w, h, 9);
}

void fk_cbor_raw(fk_cbor_writer *w, const uint8_t *item, size_t n) {
    put(w, item, n);
}

/* ---- reader ---- */

void fk_cbor_reader_init(fk_cbor_reader *r, const uint8_t *buf, size_t len) {
    r->buf = buf;
    r->len = len;
    r->pos = 0;
}

/* Reads a head at *pos: major type, the argument, and for major 7 the additional information. */
static int read_head(const fk_cbor_reader *r, size_t *pos, uint8_t *major, uint8_t *ai, uint64_t *arg) {
    size_t p = *pos;
    size_t n;
    if (p >= r->len) {
        return FK_ERR_CBOR_TRUNCATED;
    }
    *major = (uint8_t)(r->buf[p] >> 5);
    *ai = (uint8_t)(r->buf[p] & 31u);
    p++;
    if (*ai < 24) {
        *arg = *ai;
        *pos = p;
        return FK_OK;
    }
    switch (*ai) {
    case 24: n = 1; break;
    case 25: n = 2; break;
    case 26: n = 4; break;
    case 27: n = 8; break;
    default: return FK_ERR_CBOR_UNSUPPORTED; /* 28–30 reserved, 31 indefinite length */
    }
    if (n > r->len - p) {
        return FK_ERR_CBOR_TRUNCATED;
    }
    *arg = 0;
    for (size_t i = 0; i < n; i++) {
        *arg = (*arg << 8) | r->buf[p + i];
    }
    *pos = p + n;
    return FK_OK;
}

int fk_cbor_peek(const fk_cbor_reader *r, fk_cbor_type *type) {
    size_t p = r->pos;
    uint8_t major;
    uint8_t ai;
    uint64_t arg;
    int err = read_head(r, &p, &major, &ai, &arg);
    if (err != FK_OK) {
        return err;
    }
    switch (major) {
    case 0: *type = FK_CBOR_UINT; return FK_OK;
    case 1: *type = FK_CBOR_NINT; return FK_OK;
    case 2: *type = FK_CBOR_BYTES; return FK_OK;
    case 3: *type = FK_CBOR_TEXT; return FK_OK;
    case 4: *type = FK_CBOR_ARRAY; return FK_OK;
    case 5: *type = FK_CBOR_MAP; return FK_OK;
    case 6: return FK_ERR_CBOR_UNSUPPORTED; /* tags */
    default:
        switch (ai) {
        case 20: *type = FK_CBOR_FALSE; return FK_OK;
        case 21: *type = FK_CBOR_TRUE; return FK_OK;
        case 22: *type = FK_CBOR_NULL; return FK_OK;
        case 26: case 27: *type = FK_CBOR_FLOAT; return FK_OK;
        default: return FK_ERR_CBOR_UNSUPPORTED; /* undefined, half floats, other simple values */
        }
    }
}

static int read_counted(fk_cbor_reader *r, uint8_t want, uint64_t *n) {
    size_t p = r->pos;
    uint8_t major;
    uint8_t ai;
    int err = read_head(r, &p, &major, &ai, n);
    if (err != FK_OK) {
        return err;
    }
    if (major != want) {
        return FK_ERR_CBOR_TYPE;
    }
    r->pos = p;
    return FK_OK;
}

int fk_cbor_read_map(fk_cbor_reader *r, size_t *pairs) {
    uint64_t n;
    size_t at = r->pos;
    int err = read_counted(r, 5, &n);
    if (err != FK_OK) {
        return err;
    }
    if (n > (r->len - r->pos) / 2) { /* each pair takes two bytes at least: a count past that is a truncation */
        r->pos = at;
        return FK_ERR_CBOR_TRUNCATED;
    }
    *pairs = (size_t)n;
    return FK_OK;
}

int fk_cbor_read_array(fk_cbor_reader *r, size_t *items) {
    uint64_t n;
    size_t at = r->pos;
    int err = read_counted(r, 4, &n);
    if (err != FK_OK) {
        return err;
    }
    if (n > r->len - r->pos) {
        r->pos = at;
        return FK_ERR_CBOR_TRUNCATED;
    }
    *items = (size_t)n;
    return FK_OK;
}

int fk_cbor_read_uint(fk_cbor_reader *r, uint64_t *v) {
    return read_counted(r, 0, v);
}

int fk_cbor_read_int(fk_cbor_reader *r, int64_t *v) {
    size_t p = r->pos;
    uint8_t major;
    uint8_t ai;
    uint64_t arg;
    int err = read_head(r, &p, &major, &ai, &arg);
    if (err != FK_OK) {
        return err;
    }
    if (major != 0 && major != 1) {
        return FK_ERR_CBOR_TYPE;
    }
    if (arg > (uint64_t)INT64_MAX) {
        return FK_ERR_CBOR_RANGE;
    }
    *v = major == 0 ? (int64_t)arg : -1 - (int64_t)arg;
    r->pos = p;
    return FK_OK;
}

static int read_string(fk_cbor_reader *r, uint8_t want, const uint8_t **s, size_t *n) {
    uint64_t len;
    size_t at = r->pos;
    int err = read_counted(r, want, &len);
    if (err != FK_OK) {
        return err;
    }
    if (len > r->len - r->pos) {
        r->pos = at;
        return FK_ERR_CBOR_TRUNCATED;
    }
    *s = r->buf + r->pos;
    *n = (size_t)len;
    r->pos += (size_t)len;
    return FK_OK;
}

int fk_cbor_read_text(fk_cbor_reader *r, const char **s, size_t *n) {
    const uint8_t *b;
    int err = read_string(r, 3, &b, n);
    if (err == FK_OK) {
        *s = (const char *)b;
    }
    return err;
}

int fk_cbor_read_bytes(fk_cbor_reader *r, const uint8_t **b, size_t *n) {
    return read_string(r, 2, b, n);
}

int fk_cbor_read_bool(fk_cbor_reader *r, int *v) {
    fk_cbor_type t;
    int err = fk_cbor_peek(r, &t);
    if (err != FK_OK) {
        return err;
    }
    if (t != FK_CBOR_TRUE && t != FK_CBOR_FALSE) {
        return FK_ERR_CBOR_TYPE;
    }
    *v = t == FK_CBOR_TRUE;
    r->pos++;
    return FK_OK;
}

/* A float (32 or 64 bits); an integer is read as its value, as a JSON reader would. */
int fk_cbor_read_double(fk_cbor_reader *r, double *v) {
    size_t p = r->pos;
    uint8_t major;
    uint8_t ai;
    uint64_t arg;
    int err = read_head(r, &p, &major, &ai, &arg);
    if (err != FK_OK) {
        return err;
    }
    if (major == 0 || major == 1) {
        *v = major == 0 ? (double)arg : -1.0 - (double)arg;
    } else if (major == 7 && ai == 27) {
        memcpy(v, &arg, sizeof *v);
    } else if (major == 7 && ai == 26) {
        uint32_t bits = (uint32_t)arg;
        float f;
        memcpy(&f, &bits, sizeof f);
        *v = (double)f;
    } else {
        return major == 7 && ai == 25 ? FK_ERR_CBOR_UNSUPPORTED : FK_ERR_CBOR_TYPE;
    }
    r->pos = p;
    return FK_OK;
}

static int skip(fk_cbor_reader *r, int depth) {
    size_t p = r->pos;
    uint8_t major;
    uint8_t ai;
    uint64_t arg;
    fk_cbor_type t;
    int err = fk_cbor_peek(r, &t); /* refuses tags, indefinite lengths and unsupported simple values */
    if (err != FK_OK) {
        return err;
    }
    err = read_head(r, &p, &major, &ai, &arg);
    if (err != FK_OK) {
        return err;
    }
    switch (major) {
    case 2:
    case 3:
        if (arg > r->len - p) {
            return FK_ERR_CBOR_TRUNCATED;
        }
        r->pos = p + (size_t)arg;
        return FK_OK;
    case 4:
    case 5: {
        uint64_t items = major == 5 ? arg * 2 : arg;
        if (depth >= FK_CBOR_MAX_DEPTH) {
            return FK_ERR_CBOR_UNSUPPORTED;
        }
        if (arg > r->len - p || (major == 5 && arg > (r->len - p) / 2)) {
            return FK_ERR_CBOR_TRUNCATED; /* more items than bytes left: refused before counting them */
        }
        r->pos = p;
        for (uint64_t i = 0; i < items; i++) {
            err = skip(r, depth + 1);
            if (err != FK_OK) {
                return err;
            }
        }
        return FK_OK;
    }
    default:
        r->pos = p;
        return FK_OK;
    }
}

int fk_cbor_skip(fk_cbor_reader *r) {
    size_t at = r->pos;
    int err = skip(r, 0);
    if (err != FK_OK) {
        r->pos = at;
    }
    return err;
}

int fk_cbor_validate(const uint8_t *buf, size_t len) {
    fk_cbor_reader r;
    int err;
    fk_cbor_reader_init(&r, buf, len);
    err = fk_cbor_skip(&r);
    if (err != FK_OK) {
        return err;
    }
    return r.pos == len ? FK_OK : FK_ERR_TRAILING;
}
