/* Writes every vector's frame (and the vectors back to back) into a directory: the fuzzer's seed corpus. */
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
    if (argc != 2) {
        fprintf(stderr, "usage: make_corpus DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof FK_TEST_PORT_VECTORS / sizeof FK_TEST_PORT_VECTORS[0]; i++) {
        failed |= write_hex(argv[1], FK_TEST_PORT_VECTORS[i].name, FK_TEST_PORT_VECTORS[i].frame_hex);
    }
    for (size_t i = 0; i < sizeof FK_DEVICE_MESSAGE_VECTORS / sizeof FK_DEVICE_MESSAGE_VECTORS[0]; i++) {
        failed |= write_hex(argv[1], FK_DEVICE_MESSAGE_VECTORS[i].name, FK_DEVICE_MESSAGE_VECTORS[i].frame_hex);
    }
    return failed;
}
