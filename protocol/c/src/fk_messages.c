/* fleetkit test port: the frame payloads of protocol/spec/schemas/test-port, read and written. */
#include "fk_testport.h"

#include <string.h>

#define JSON_SAFE_MAX 9007199254740991ull /* the schemas' integer maximum: 2^53 - 1 */

static int key_is(const fk_str *k, const char *name) {
    size_t n = strlen(name);
    return k->n == n && memcmp(k->s, name, n) == 0;
}

/* Opens the payload's map after checking it is one well-formed item. */
static int open_map(fk_cbor_reader *r, const uint8_t *payload, size_t len, size_t *pairs) {
    int err = fk_cbor_validate(payload, len);
    if (err != FK_OK) {
        return err;
    }
    fk_cbor_reader_init(r, payload, len);
    return fk_cbor_read_map(r, pairs);
}

static int read_key(fk_cbor_reader *r, fk_str *k) {
    return fk_cbor_read_text(r, &k->s, &k->n);
}

static int read_str(fk_cbor_reader *r, fk_str *v, size_t min, size_t max) {
    int err = fk_cbor_read_text(r, &v->s, &v->n);
    if (err == FK_OK && (v->n < min || v->n > max)) {
        return FK_ERR_CBOR_RANGE;
    }
    return err;
}

static int read_safe_uint(fk_cbor_reader *r, uint64_t *v, uint64_t max) {
    int err = fk_cbor_read_uint(r, v);
    if (err == FK_OK && *v > max) {
        return FK_ERR_CBOR_RANGE;
    }
    return err;
}

int fk_hello_read(const uint8_t *payload, size_t len, fk_hello *out) {
    fk_cbor_reader r;
    size_t pairs;
    unsigned seen = 0;
    int err = open_map(&r, payload, len, &pairs);
    for (size_t i = 0; err == FK_OK && i < pairs; i++) {
        fk_str k;
        uint64_t v;
        err = read_key(&r, &k);
        if (err != FK_OK) {
            break;
        }
        if (key_is(&k, "protocolVersion")) {
            err = read_safe_uint(&r, &v, 255);
            if (err == FK_OK && v < 1) {
                err = FK_ERR_CBOR_RANGE;
            }
            out->protocol_version = (uint32_t)v;
            seen |= 1u;
        } else if (key_is(&k, "deviceId")) {
            err = read_str(&r, &out->device_id, 1, 128);
            seen |= 2u;
        } else if (key_is(&k, "firmwareVersion")) {
            err = read_str(&r, &out->firmware_version, 1, 32);
            seen |= 4u;
        } else if (key_is(&k, "modelId")) {
            err = read_str(&r, &out->model_id, 1, 64);
            seen |= 8u;
        } else {
            err = fk_cbor_skip(&r);
        }
    }
    return err != FK_OK ? err : seen == 15u ? FK_OK : FK_ERR_MISSING_FIELD;
}

int fk_ping_read(const uint8_t *payload, size_t len, fk_ping *out) {
    fk_cbor_reader r;
    size_t pairs;
    unsigned seen = 0;
    int err = open_map(&r, payload, len, &pairs);
    for (size_t i = 0; err == FK_OK && i < pairs; i++) {
        fk_str k;
        err = read_key(&r, &k);
        if (err != FK_OK) {
            break;
        }
        if (key_is(&k, "seq")) {
            err = read_safe_uint(&r, &out->seq, JSON_SAFE_MAX);
            seen |= 1u;
        } else if (key_is(&k, "reply")) {
            err = fk_cbor_read_bool(&r, &out->reply);
            seen |= 2u;
        } else {
            err = fk_cbor_skip(&r);
        }
    }
    return err != FK_OK ? err : seen == 3u ? FK_OK : FK_ERR_MISSING_FIELD;
}

int fk_button_read(const uint8_t *payload, size_t len, int *pressed) {
    fk_cbor_reader r;
    size_t pairs;
    int seen = 0;
    int err = open_map(&r, payload, len, &pairs);
    for (size_t i = 0; err == FK_OK && i < pairs; i++) {
        fk_str k;
        fk_str v;
        err = read_key(&r, &k);
        if (err != FK_OK) {
            break;
        }
        if (key_is(&k, "action")) {
            err = read_str(&r, &v, 1, 16);
            if (err == FK_OK) {
                if (key_is(&v, "pressed") || key_is(&v, "released")) {
                    *pressed = key_is(&v, "pressed");
                    seen = 1;
                } else {
                    err = FK_ERR_CBOR_RANGE;
                }
            }
        } else {
            err = fk_cbor_skip(&r);
        }
    }
    return err != FK_OK ? err : seen ? FK_OK : FK_ERR_MISSING_FIELD;
}

int fk_method_request_read(const uint8_t *payload, size_t len, fk_method_request *out) {
    fk_cbor_reader r;
    size_t pairs;
    unsigned seen = 0;
    int err = open_map(&r, payload, len, &pairs);
    out->payload = NULL;
    out->payload_len = 0;
    for (size_t i = 0; err == FK_OK && i < pairs; i++) {
        fk_str k;
        err = read_key(&r, &k);
        if (err != FK_OK) {
            break;
        }
        if (key_is(&k, "rid")) {
            err = read_safe_uint(&r, &out->rid, JSON_SAFE_MAX);
            seen |= 1u;
        } else if (key_is(&k, "method")) {
            err = read_str(&r, &out->method, 1, 128);
            seen |= 2u;
        } else if (key_is(&k, "payload")) {
            size_t at = r.pos;
            err = fk_cbor_skip(&r);
            out->payload = payload + at;
            out->payload_len = r.pos - at;
        } else {
            err = fk_cbor_skip(&r);
        }
    }
    return err != FK_OK ? err : seen == 3u ? FK_OK : FK_ERR_MISSING_FIELD;
}

void fk_hello_write(fk_cbor_writer *w, const char *device_id, const char *firmware_version, const char *model_id) {
    fk_cbor_map(w, 4);
    fk_cbor_text(w, "protocolVersion");
    fk_cbor_uint(w, 1);
    fk_cbor_text(w, "deviceId");
    fk_cbor_text(w, device_id);
    fk_cbor_text(w, "firmwareVersion");
    fk_cbor_text(w, firmware_version);
    fk_cbor_text(w, "modelId");
    fk_cbor_text(w, model_id);
}

void fk_ping_write(fk_cbor_writer *w, uint64_t seq, int reply) {
    fk_cbor_map(w, 2);
    fk_cbor_text(w, "seq");
    fk_cbor_uint(w, seq);
    fk_cbor_text(w, "reply");
    fk_cbor_bool(w, reply);
}

void fk_button_write(fk_cbor_writer *w, int pressed) {
    fk_cbor_map(w, 1);
    fk_cbor_text(w, "action");
    fk_cbor_text(w, pressed ? "pressed" : "released");
}

void fk_led_write(fk_cbor_writer *w, const char *mode, const char *color, uint32_t period_ms) {
    fk_cbor_map(w, 3);
    fk_cbor_text(w, "mode");
    fk_cbor_text(w, mode);
    fk_cbor_text(w, "color");
    fk_cbor_text(w, color);
    fk_cbor_text(w, "periodMs");
    fk_cbor_uint(w, period_ms);
}

void fk_log_write(fk_cbor_writer *w, const char *level, const char *text) {
    fk_cbor_map(w, 2);
    fk_cbor_text(w, "level");
    fk_cbor_text(w, level);
    fk_cbor_text(w, "text");
    fk_cbor_text(w, text);
}

void fk_method_request_write(fk_cbor_writer *w, uint64_t rid, const char *method, const uint8_t *payload, size_t payload_len) {
    fk_cbor_map(w, payload != NULL ? 3 : 2);
    fk_cbor_text(w, "rid");
    fk_cbor_uint(w, rid);
    fk_cbor_text(w, "method");
    fk_cbor_text(w, method);
    if (payload != NULL) {
        fk_cbor_text(w, "payload");
        fk_cbor_raw(w, payload, payload_len);
    }
}

void fk_method_response_write(fk_cbor_writer *w, uint64_t rid, int status, const uint8_t *payload, size_t payload_len) {
    if (status < 100 || status > 999) {
        if (w->err == FK_OK) {
            w->err = FK_ERR_CBOR_RANGE;
        }
        return;
    }
    fk_cbor_map(w, payload != NULL ? 3 : 2);
    fk_cbor_text(w, "rid");
    fk_cbor_uint(w, rid);
    fk_cbor_text(w, "status");
    fk_cbor_uint(w, (uint64_t)status);
    if (payload != NULL) {
        fk_cbor_text(w, "payload");
        fk_cbor_raw(w, payload, payload_len);
    }
}
