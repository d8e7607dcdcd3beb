/* Writes every vector's frame into a directory: the stream fuzzer's seed corpus; and, given a second directory, the
 * thermostat fuzzer's (a method's index, then its CBOR payload; index 8: raw bytes for the port). */
#include "fk_vectors.h"

#include <stdio.h>
#include <string.h>

static int write_hex(const char *dir, const char *name, const char *hex) {
    char path[512];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (f == NULL) {
        perror(path);
        return 1;
    }
    for (size_t i = 0; i + 1 < strlen(hex) + 1 && hex[i] != '\0'; i += 2) {
        unsigned v;
        sscanf(hex + i, "%2x", &v);
        fputc((int)v, f);
    }
    return fclose(f) != 0;
}

int main(int argc, char **argv) {
    int failed = 0;
    static const char *const THERMOSTAT_SEEDS[] = {
        "00a16c64656c61795365636f6e647305",                       /* reboot {delaySeconds: 5} */
        "01a16f696e74657276616c5365636f6e6473181e",               /* setTelemetryInterval {intervalSeconds: 30} */
        "02a16f6475726174696f6e5365636f6e64730a",                 /* identify {durationSeconds: 10} */
        "03a0",                                                   /* getDiagnostics {} */
        "04a2656e6f6e63657671335678376254305a6b5231634c396d5732615970516d77696e646f775365636f6e6473183c", /* startClaim */
        "05a167636f6e6669726df5",                                 /* factoryReset {confirm: true} */
        "081109a26373657103657265706c79f4d05c00",                 /* a ping frame, raw */
    };
    if (argc != 2 && argc != 3) {
        fprintf(stderr, "usage: make_corpus DIR [THERMOSTAT-DIR]\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof FK_TEST_PORT_VECTORS / sizeof FK_TEST_PORT_VECTORS[0]; i++) {
        failed |= write_hex(argv[1], FK_TEST_PORT_VECTORS[i].name, FK_TEST_PORT_VECTORS[i].frame_hex);
    }
    for (size_t i = 0; i < sizeof FK_DEVICE_MESSAGE_VECTORS / sizeof FK_DEVICE_MESSAGE_VECTORS[0]; i++) {
        failed |= write_hex(argv[1], FK_DEVICE_MESSAGE_VECTORS[i].name, FK_DEVICE_MESSAGE_VECTORS[i].frame_hex);
    }
    for (size_t i = 0; argc == 3 && i < sizeof THERMOSTAT_SEEDS / sizeof THERMOSTAT_SEEDS[0]; i++) {
        char name[32];
        snprintf(name, sizeof name, "seed-%zu", i);
        failed |= write_hex(argv[2], name, THERMOSTAT_SEEDS[i]);
    }
    return failed;
}
