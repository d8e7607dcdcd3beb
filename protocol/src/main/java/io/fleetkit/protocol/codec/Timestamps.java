package io.fleetkit.protocol.codec;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDate;
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
        long epochDay;
        try {
            epochDay = LocalDate.of(year, month, day).toEpochDay();
        } catch (DateTimeException e) {
            return null; // the formatter says why
        }
        return Instant.ofEpochSecond(epochDay * 86_400 + hour * 3_600L + minute * 60L + second, nanos);
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
