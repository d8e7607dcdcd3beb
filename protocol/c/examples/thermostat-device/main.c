/*
 * thermostat-device: the C reference thermostat on a host, its test port on a serial line or pseudo-terminal.
 * The board of a real firmware, in POSIX: the port (8N1, raw), the clocks, the flash (a small file), the key
 * (OpenSSL's libcrypto standing in for a secure element) and the button (a line "press" on standard input).
 *
 *   socat pty,raw,echo=0,link=/tmp/ttyA pty,raw,echo=0,link=/tmp/ttyB &
 *   thermostat-device --port /tmp/ttyB --id dev-00001 --key pki/devices/dev-00001.key &
 *   ./fleetkit hil --port /tmp/ttyA --pki pki --id dev-00001          (or: ./fleetkit hil conform basic.scenario --port /tmp/ttyA)
 */
#define _POSIX_C_SOURCE 200809L

#include "thermostat.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

static const char USAGE[] =
    "Usage: thermostat-device --port PATH --id DEVICE-ID [options]\n"
    "The fleetkit reference thermostat in C on a test port (a serial line or a pseudo-terminal).\n"
    "\n"
    "  --port PATH            the test port: /dev/ttyUSB0, or one end of a socat pty pair (required)\n"
    "  --id DEVICE-ID         the id it says hello with: the bridge's --id (required)\n"
    "  --key FILE             the device's private key (PEM, EC P-256 or RSA) to sign presence proofs;\n"
    "                         without it a button press in a claim window logs an error instead\n"
    "  --rate-multiplier X    telemetry X times faster than the model's interval (default 1)\n"
    "  --flash FILE           where the sequence number and interval survive restarts (default: none, RAM only)\n"
    "  --baud RATE            for a serial line: 9600 19200 38400 57600 115200 230400 (default 115200)\n"
    "  --seed N               the sensors' noise (default: from the clock)\n"
    "  --quiet                no trace on standard error\n"
    "  --help                 this text\n"
    "\n"
    "Standard input: a line 'press' presses the button. SIGINT or SIGTERM: saves the flash and stops.\n";

typedef struct {
    const char *port_path;
    const char *device_id;
    const char *key_path;
    const char *flash_path;
    double rate_multiplier;
    long baud;
    unsigned long seed;
    int quiet;
    int fd;
    EVP_PKEY *key;
} host;

static volatile sig_atomic_t stopping;

static void on_signal(int sig) {
    (void)sig;
    stopping = 1;
}

static uint64_t monotonic_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static void fail(const char *fmt, const char *arg) {
    fprintf(stderr, "thermostat-device: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n(--help for usage)\n");
    exit(2);
}

/* ---- the board ---- */

static void timestamp(void *ctx, char out[32]) {
    (void)ctx;
    struct timespec ts;
    struct tm utc;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &utc);
    size_t n = strftime(out, 32, "%Y-%m-%dT%H:%M:%S", &utc);
    snprintf(out + n, 32 - n, ".%03ldZ", ts.tv_nsec / 1000000L);
}

static void trace_line(void *ctx, const char *line) {
    const host *h = ctx;
    if (!h->quiet) {
        char now[32];
        timestamp(NULL, now);
        fprintf(stderr, "%s [thermostat %s] %s\n", now + 11, h->device_id, line); /* the time of day: 09:30:00.250Z */
    }
}

static int port_send(void *ctx, const uint8_t *frame, size_t len) {
    host *h = ctx;
    size_t done = 0;
    while (h->fd >= 0 && done < len) {
        ssize_t n = write(h->fd, frame + done, len - done);
        if (n > 0) {
            done += (size_t)n;
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            struct pollfd p = {h->fd, POLLOUT, 0};
            if (poll(&p, 1, 1000) <= 0) {
                return -1; /* nobody drains the line for a second: the frame is lost, as on a UART */
            }
        } else {
            return -1;
        }
    }
    return done == len ? 0 : -1;
}


static size_t sign(void *ctx, const uint8_t *content, size_t len, uint8_t *signature, size_t cap) {
    host *h = ctx;
    if (h->key == NULL) {
        return 0;
    }
    EVP_MD_CTX *md = EVP_MD_CTX_new();
    size_t out = cap;
    int ok = md != NULL && EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, h->key) == 1
             && EVP_DigestSign(md, signature, &out, content, len) == 1;
    EVP_MD_CTX_free(md);
    return ok ? out : 0;
}

static void save(void *ctx, const th_flash *flash) {
    const host *h = ctx;
    if (h->flash_path == NULL) {
        return;
    }
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s.tmp", h->flash_path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL || fprintf(f, "nextSeq=%llu\nintervalSeconds=%u\n", (unsigned long long)flash->next_seq, flash->interval_s) < 0
        || fclose(f) != 0 || rename(tmp, h->flash_path) != 0) {
        fprintf(stderr, "thermostat-device: cannot write the flash file %s: %s\n", h->flash_path, strerror(errno));
    }
}

static th_flash load_flash(const char *path) {
    th_flash flash = {0, TH_DEFAULT_INTERVAL_S};
    FILE *f = path == NULL ? NULL : fopen(path, "r");
    if (f == NULL) {
        return flash; /* a device fresh from the factory */
    }
    unsigned long long seq;
    unsigned interval;
    if (fscanf(f, "nextSeq=%llu\nintervalSeconds=%u", &seq, &interval) != 2 || interval < 1 || interval > 86400) {
        fail("the flash file %s is not one this device wrote (nextSeq=N, intervalSeconds=1..86400)", path);
    }
    fclose(f);
    flash.next_seq = seq;
    flash.interval_s = interval;
    return flash;
}

static EVP_PKEY *load_key(const char *path) {
    FILE *f = fopen(path, "r");
    if (f == NULL) {
        fail("cannot read the key file %s", path);
    }
    EVP_PKEY *key = PEM_read_PrivateKey(f, NULL, NULL, NULL);
    fclose(f);
    if (key == NULL) {
        fail("%s holds no PEM private key OpenSSL can read", path);
    }
    return key;
}

/* ---- the port ---- */

static speed_t speed_of(long baud) {
    switch (baud) {
    case 9600: return B9600;
    case 19200: return B19200;
    case 38400: return B38400;
    case 57600: return B57600;
    case 115200: return B115200;
    case 230400: return B230400;
    default: return B0;
    }
}

/* Opens the port raw, 8N1, no flow control; -1 (and errno) when it cannot. */
static int open_port(const host *h) {
    int fd = open(h->port_path, O_RDWR | O_NOCTTY | O_NONBLOCK);
    if (fd < 0) {
        return -1;
    }
    struct termios tio;
    if (isatty(fd) && tcgetattr(fd, &tio) == 0) {
        tio.c_iflag &= (tcflag_t) ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON | IXOFF | IXANY);
        tio.c_oflag &= (tcflag_t)~OPOST;
        tio.c_lflag &= (tcflag_t) ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
        tio.c_cflag &= (tcflag_t) ~(CSIZE | PARENB | CSTOPB);
        tio.c_cflag |= CS8 | CREAD | CLOCAL;
        tio.c_cc[VMIN] = 0;
        tio.c_cc[VTIME] = 0;
        cfsetispeed(&tio, speed_of(h->baud));
        cfsetospeed(&tio, speed_of(h->baud));
        tcsetattr(fd, TCSANOW, &tio);
    }
    return fd;
}

static void parse_args(host *h, int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(USAGE, stdout);
            exit(0);
        }
        if (strcmp(a, "--quiet") == 0) {
            h->quiet = 1;
            continue;
        }
        if (i + 1 >= argc) {
            fail("%s: needs a value, or is not an option this program has", a);
        }
        const char *v = argv[++i];
        char *end;
        if (strcmp(a, "--port") == 0) {
            h->port_path = v;
        } else if (strcmp(a, "--id") == 0) {
            h->device_id = v;
        } else if (strcmp(a, "--key") == 0) {
            h->key_path = v;
        } else if (strcmp(a, "--flash") == 0) {
            h->flash_path = v;
        } else if (strcmp(a, "--rate-multiplier") == 0) {
            h->rate_multiplier = strtod(v, &end);
            if (*end != '\0' || !(h->rate_multiplier > 0 && h->rate_multiplier <= 100000)) {
                fail("--rate-multiplier must be a number above 0 and at most 100000, was '%s'", v);
            }
        } else if (strcmp(a, "--baud") == 0) {
            h->baud = strtol(v, &end, 10);
            if (*end != '\0' || speed_of(h->baud) == B0) {
                fail("--baud must be one of 9600 19200 38400 57600 115200 230400, was '%s'", v);
            }
        } else if (strcmp(a, "--seed") == 0) {
            h->seed = strtoul(v, &end, 10);
            if (*end != '\0') {
                fail("--seed must be a whole number, was '%s'", v);
            }
        } else {
            fail("unknown option '%s'", a);
        }
    }
    if (h->port_path == NULL) {
        fail("%s", "--port PATH is required: the serial line or pseudo-terminal of the test port");
    }
    if (h->device_id == NULL || h->device_id[0] == '\0' || strlen(h->device_id) > TH_DEVICE_ID_MAX) {
        fail("%s", "--id DEVICE-ID is required: 1 to 128 characters, the identity the bridge holds");
    }
}

/* ---- the main loop ---- */

int main(int argc, char **argv) {
    host h = {NULL, NULL, NULL, NULL, 1.0, 115200, 0, 0, -1, NULL};
    parse_args(&h, argc, argv);
    if (h.key_path != NULL) {
        h.key = load_key(h.key_path);
    }
    th_flash flash = load_flash(h.flash_path);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    signal(SIGPIPE, SIG_IGN);

    const th_board board = {&h, port_send, timestamp, sign, save, trace_line};
    static thermostat t; /* 4 KB of receive buffer: static, as on a microcontroller */
    h.fd = open_port(&h);
    if (h.fd < 0) {
        fprintf(stderr, "thermostat-device: cannot open %s (%s); trying again every 500 ms\n", h.port_path, strerror(errno));
    }
    uint32_t seed = h.seed != 0 ? (uint32_t)h.seed : (uint32_t)(monotonic_ms() ^ (uint64_t)getpid());
    th_power_on(&t, &board, h.device_id, h.rate_multiplier, flash, seed, monotonic_ms());
    trace_line(&h, "powered on");

    int stdin_open = 1;
    char line[64];
    size_t line_len = 0;
    uint64_t next_open = 0;
    while (!stopping) {
        uint64_t now = monotonic_ms();
        uint64_t next = th_poll(&t, now);
        if (h.fd < 0 && now >= next_open) {
            h.fd = open_port(&h);
            next_open = now + 500u;
            if (h.fd >= 0) {
                trace_line(&h, "port open");
            }
        }
        struct pollfd fds[2] = {{h.fd, POLLIN, 0}, {stdin_open ? STDIN_FILENO : -1, POLLIN, 0}};
        uint64_t wait = next > now ? next - now : 0;
        if (h.fd < 0 && wait > 500u) {
            wait = 500u;
        }
        if (poll(fds, 2, (int)wait) < 0) {
            continue; /* EINTR: a signal */
        }
        if (h.fd >= 0 && (fds[0].revents & (POLLIN | POLLHUP | POLLERR))) {
            uint8_t buf[512];
            ssize_t n = read(h.fd, buf, sizeof buf);
            if (n > 0) {
                th_received(&t, buf, (size_t)n, monotonic_ms());
            } else if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
                trace_line(&h, "port lost; reopening");
                close(h.fd);
                h.fd = -1;
                next_open = monotonic_ms() + 500u;
            }
        }
        if (stdin_open && (fds[1].revents & (POLLIN | POLLHUP))) {
            char c;
            ssize_t n = read(STDIN_FILENO, &c, 1);
            if (n <= 0) {
                stdin_open = 0; /* no console: the button is pressed through the test port only */
            } else if (c == '\n') {
                line[line_len] = '\0';
                if (strcmp(line, "press") == 0) {
                    th_button(&t, monotonic_ms());
                } else if (line_len > 0) {
                    trace_line(&h, "standard input: only 'press' is understood");
                }
                line_len = 0;
            } else if (line_len + 1 < sizeof line) {
                line[line_len++] = c;
            }
        }
    }
    save(&h, &t.flash);
    trace_line(&h, "stopped");
    EVP_PKEY_free(h.key);
    return 0;
}
