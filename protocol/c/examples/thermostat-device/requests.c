/*
 * Method payloads read strictly, with the messages of the reference firmware (protocol's MethodContracts through its
 * strict codec: ObjectKind, Kinds, ProtocolException), so a conformance run compares error bodies word for word.
 * The order of the checks is the codec's: the payload is an object; no unknown member (in the payload's order); then
 * each member in the request's order: present if required, not null, of its type, in its range.
 */
#include "thermostat.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define PREFIX "invalid JSON document at "

static void say(char *message, size_t cap, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(message, cap, format, args);
    va_end(args);
}

/* What the codec calls a value: the payload travels CBOR -> JSON text -> JSON tree, so byte strings arrive as base64 text. */
static const char *describe(fk_cbor_type type) {
    switch (type) {
    case FK_CBOR_UINT:
    case FK_CBOR_NINT:
        return "an integer";
    case FK_CBOR_FLOAT:
        return "a number";
    case FK_CBOR_TEXT:
    case FK_CBOR_BYTES:
        return "a string";
    case FK_CBOR_ARRAY:
        return "an array";
    case FK_CBOR_MAP:
        return "an object";
    case FK_CBOR_FALSE:
    case FK_CBOR_TRUE:
        return "a boolean";
    case FK_CBOR_NULL:
    default:
        return "null";
    }
}

/* "$.name", or "$['9x']" for a name that is not plain (as ObjectKind.child). */
static void child(char *out, size_t cap, const char *name, size_t n) {
    int plain = n > 0 && !(name[0] >= '0' && name[0] <= '9');
    for (size_t i = 0; plain && i < n; i++) {
        unsigned char c = (unsigned char)name[i];
        plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
    }
    if (plain) {
        snprintf(out, cap, "$.%.*s", (int)n, name);
        return;
    }
    size_t at = 0;
    at += (size_t)snprintf(out, cap, "$['");
    for (size_t i = 0; i < n && at + 4 < cap; i++) {
        if (name[i] == '\'') {
            out[at++] = '\\';
        }
        out[at++] = name[i];
    }
    snprintf(out + at, cap - at, "']");
}

/* The decimal text of an integer item, including the negative ones below INT64_MIN (-1 - n for n up to 2^64 - 1). */
static void integer_text(const fk_cbor_reader *r, fk_cbor_type type, char *out, size_t cap) {
    fk_cbor_reader copy = *r;
    if (type == FK_CBOR_UINT) {
        uint64_t v = 0;
        fk_cbor_read_uint(&copy, &v);
        snprintf(out, cap, "%" PRIu64, v);
        return;
    }
    int64_t v;
    if (fk_cbor_read_int(&copy, &v) == FK_OK) {
        snprintf(out, cap, "%" PRId64, v);
        return;
    }
    /* the argument n of the head (major type 1), big-endian after the initial byte */
    const uint8_t *p = r->buf + r->pos;
    size_t bytes = (size_t)1 << ((p[0] & 0x1f) - 24);
    uint64_t n = 0;
    for (size_t i = 1; i <= bytes; i++) {
        n = (n << 8) | p[i];
    }
    if (n == UINT64_MAX) {
        snprintf(out, cap, "-18446744073709551616");
    } else {
        snprintf(out, cap, "-%" PRIu64, n + 1);
    }
}

static int key_is(const fk_str *k, const char *name) {
    size_t n = strlen(name);
    return k->n == n && memcmp(k->s, name, n) == 0;
}

/* A map key as text: CBOR text, or an unsigned integer as its digits (what a JSON tree makes of it). */
static int read_key(fk_cbor_reader *r, fk_str *key, char digits[24]) {
    fk_cbor_type type;
    if (fk_cbor_peek(r, &type) != FK_OK) {
        return -1;
    }
    if (type == FK_CBOR_TEXT) {
        return fk_cbor_read_text(r, &key->s, &key->n) == FK_OK ? 0 : -1;
    }
    uint64_t v;
    if (type == FK_CBOR_UINT && fk_cbor_read_uint(r, &v) == FK_OK) {
        key->n = (size_t)snprintf(digits, 24, "%" PRIu64, v);
        key->s = digits;
        return 0;
    }
    return -1;
}

static const th_field *field_named(const th_request *request, const fk_str *key) {
    for (size_t i = 0; i < request->count; i++) {
        if (key_is(key, request->fields[i].name)) {
            return &request->fields[i];
        }
    }
    return NULL;
}

static int is_nonce_char(char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* One member's value at r, read into slot i of out. */
static int read_value(const th_field *f, size_t i, fk_cbor_reader *r, th_values *out, char *message, size_t cap) {
    char at[160];
    child(at, sizeof at, f->name, strlen(f->name));
    fk_cbor_type type;
    if (fk_cbor_peek(r, &type) != FK_OK) {
        say(message, cap, PREFIX "%s: unreadable", at);
        return -1;
    }
    if (type == FK_CBOR_NULL) {
        say(message, cap, PREFIX "%s: expected a value, found null (leave an optional member out instead)", at);
        return -1;
    }
    if (f->kind == TH_BOOL) {
        if (type != FK_CBOR_TRUE && type != FK_CBOR_FALSE) {
            say(message, cap, PREFIX "%s: expected a boolean, found %s", at, describe(type));
            return -1;
        }
        return fk_cbor_read_bool(r, &out->bools[i]) == FK_OK ? 0 : -1;
    }
    if (f->kind == TH_NONCE) {
        if (type != FK_CBOR_TEXT && type != FK_CBOR_BYTES) {
            say(message, cap, PREFIX "%s: expected a string, found %s", at, describe(type));
            return -1;
        }
        if (type == FK_CBOR_BYTES) { /* base64 text on the reference's side: never a nonce it accepts either */
            say(message, cap, PREFIX "%s: a byte string is not a nonce", at);
            return -1;
        }
        fk_str *s = &out->strs[i];
        if (fk_cbor_read_text(r, &s->s, &s->n) != FK_OK) {
            return -1;
        }
        size_t characters = 0;
        for (size_t k = 0; k < s->n; k++) {
            characters += ((unsigned char)s->s[k] & 0xc0) != 0x80; /* code points, not bytes */
        }
        if (characters < (size_t)f->min || characters > (size_t)f->max) {
            say(message, cap, PREFIX "%s: expected a string of %" PRId64 " to %" PRId64 " characters, found one of %zu", at, f->min,
                f->max, characters);
            return -1;
        }
        for (size_t k = 0; k < s->n; k++) {
            if (!is_nonce_char(s->s[k])) {
                say(message, cap, PREFIX "%s: '%.*s' does not match the pattern [A-Za-z0-9_-]+", at, (int)s->n, s->s);
                return -1;
            }
        }
        return 0;
    }
    if (type != FK_CBOR_UINT && type != FK_CBOR_NINT) {
        say(message, cap, PREFIX "%s: expected an integer, found %s", at, describe(type));
        return -1;
    }
    int64_t v;
    const fk_cbor_reader at_value = *r;
    if (fk_cbor_read_int(r, &v) != FK_OK || v < f->min || v > f->max) {
        char text[32];
        integer_text(&at_value, type, text, sizeof text);
        say(message, cap, PREFIX "%s: expected an integer from %" PRId64 " to %" PRId64 ", found %s", at, f->min, f->max, text);
        return -1;
    }
    out->ints[i] = v;
    return 0;
}

int th_request_read(const th_request *request, const uint8_t *payload, size_t len, th_values *out, char *message, size_t cap) {
    static const uint8_t EMPTY_MAP = 0xa0;
    fk_cbor_reader r;
    fk_cbor_type type;
    if (payload == NULL || (len == 1 && payload[0] == 0xf6)) { /* none, or null: what the service SDKs send for "no payload" */
        payload = &EMPTY_MAP;
        len = 1;
    }
    fk_cbor_reader_init(&r, payload, len);
    if (fk_cbor_validate(payload, len) != FK_OK || fk_cbor_peek(&r, &type) != FK_OK) {
        say(message, cap, "invalid JSON document: unreadable");
        return -1;
    }
    if (type != FK_CBOR_MAP) {
        say(message, cap, PREFIX "$: expected an object (%s), found %s", request->title, describe(type));
        return -1;
    }
    size_t pairs;
    fk_cbor_read_map(&r, &pairs);
    const fk_cbor_reader members = r;
    for (size_t p = 0; p < pairs; p++) { /* strict: the first member the request does not define is the error */
        fk_str key;
        char digits[24];
        if (read_key(&r, &key, digits) != 0) {
            say(message, cap, "invalid JSON document: a member name that is not text");
            return -1;
        }
        if (field_named(request, &key) == NULL) {
            char at[160];
            child(at, sizeof at, key.s, key.n);
            size_t used = (size_t)snprintf(message, cap, PREFIX "%s: unknown member '%.*s'; %s has ", at, (int)key.n, key.s, request->title);
            for (size_t i = 0; i < request->count && used < cap; i++) {
                used += (size_t)snprintf(message + used, cap - used, "%s%s", i == 0 ? "" : ", ", request->fields[i].name);
            }
            return -1;
        }
        fk_cbor_skip(&r);
    }
    for (size_t i = 0; i < request->count; i++) {
        const th_field *f = &request->fields[i];
        fk_cbor_reader found = {NULL, 0, 0};
        r = members;
        for (size_t p = 0; p < pairs; p++) { /* the last of duplicate members wins, as in a JSON tree */
            fk_str key;
            char digits[24];
            read_key(&r, &key, digits);
            if (key_is(&key, f->name)) {
                found = r;
            }
            fk_cbor_skip(&r);
        }
        if (found.buf == NULL) {
            if (f->required) {
                say(message, cap, PREFIX "$: missing required member '%s'", f->name);
                return -1;
            }
            out->ints[i] = f->fallback;
            continue;
        }
        if (read_value(f, i, &found, out, message, cap) != 0) {
            return -1;
        }
    }
    return 0;
}
