package io.fleetkit.protocol.codec;

import java.time.Instant;
import java.time.Month;
import java.time.Year;
import java.time.format.DateTimeFormatter;

/**
 * The common form of a device timestamp, {@code yyyy-MM-ddTHH:mm:ss[.f…]Z}, read without {@link DateTimeFormatter}'s
 * parse state (several objects per call; the decoder reads one timestamp per message). Anything else — another year
 * width, an offset, a leap second, hour 24, an impossible date — is left to {@code ISO_INSTANT}, which decides and words
 * the error, so the two agree by construction.
 */
final class Timestamps {
    private Timestamps() {
    }

    /** The instant, or null when the text is not in the common form (then ask {@code ISO_INSTANT}). */
    static Instant parseCommon(String t) {
        int n = t.length();
        if (n < 20 || n > 30 || t.charAt(n - 1) != 'Z' || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
                || t.charAt(13) != ':' || t.charAt(16) != ':') {
            return null;
        }
        int year = digits(t, 0, 4);
        int month = digits(t, 5, 2);
        int day = digits(t, 8, 2);
        int hour = digits(t, 11, 2);
        int minute = digits(t, 14, 2);
        int second = digits(t, 17, 2);
        if (year < 0 || month < 0 || day < 0 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) {
            return null;
        }
        int nanos = 0;
        if (n > 20) { // a fraction: '.' and 1 to 9 digits
            int digitsOfFraction = n - 21;
            if (t.charAt(19) != '.' || digitsOfFraction < 1 || digitsOfFraction > 9) {
                return null;
            }
            int f = digits(t, 20, digitsOfFraction);
            if (f < 0) {
                return null;
            }
            nanos = f;
            for (int i = digitsOfFraction; i < 9; i++) {
                nanos *= 10;
            }
        }
        if (month < 1 || month > 12 || day < 1 || day > Month.of(month).length(Year.isLeap(year))) {
            return null; // the formatter says why
        }
        return Instant.ofEpochSecond(epochDay(year, month, day) * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
    }

    /** Days since 1970-01-01 of a valid date: {@code LocalDate.toEpochDay}'s arithmetic, without the {@code LocalDate}. */
    static long epochDay(int year, int month, int day) {
        long y = year;
        long total = 365 * y;
        if (y >= 0) {
            total += (y + 3) / 4 - (y + 99) / 100 + (y + 399) / 400;
        } else {
            total -= y / -4 - y / -100 + y / -400;
        }
        total += (367L * month - 362) / 12;
        total += day - 1;
        if (month > 2) {
            total--;
            if (!Year.isLeap(year)) {
                total--;
            }
        }
        return total - 719_528; // days from 0000-01-01 to 1970-01-01
    }

    /** The decimal number of {@code count} ASCII digits at {@code from}, or -1. */
    private static int digits(String t, int from, int count) {
        int v = 0;
        for (int i = from; i < from + count; i++) {
            char c = t.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }
}
