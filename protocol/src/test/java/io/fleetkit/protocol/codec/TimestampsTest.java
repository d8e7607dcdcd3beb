package io.fleetkit.protocol.codec;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/** The common-form reader against {@code ISO_INSTANT}: where it answers, the same instant; what it leaves, ISO_INSTANT's. */
class TimestampsTest {
    private static Instant iso(String t) {
        try {
            return DateTimeFormatter.ISO_INSTANT.parse(t, Instant::from);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    @Test
    void everyCommonFormTimestampIsTheInstantIsoInstantReads() {
        SplittableRandom random = new SplittableRandom(5);
        int answered = 0;
        for (int n = 0; n < 200_000; n++) {
            String fraction = switch (random.nextInt(4)) {
                case 0 -> "";
                case 1 -> "." + random.nextInt(10);
                case 2 -> String.format(".%03d", random.nextInt(1000));
                default -> String.format(".%09d", random.nextInt(1_000_000_000));
            };
            String t = String.format("%04d-%02d-%02dT%02d:%02d:%02d%sZ", random.nextInt(10_000), random.nextInt(14), random.nextInt(33),
                    random.nextInt(26), random.nextInt(61), random.nextInt(62), fraction);
            Instant quick = Timestamps.parseCommon(t);
            if (quick != null) {
                answered++;
                assertThat(quick).as(t).isEqualTo(iso(t));
            } else {
                assertThat(iso(t) == null || t.contains(":60") || t.contains(":61")).as(t + " left to ISO_INSTANT although valid").isTrue();
            }
        }
        assertThat(answered).isGreaterThan(100_000);
        assertThat(Timestamps.parseCommon("2024-02-29T00:00:00Z")).isEqualTo(Instant.parse("2024-02-29T00:00:00Z"));
        assertThat(Timestamps.parseCommon("2023-02-29T00:00:00Z")).isNull();
        assertThat(Timestamps.parseCommon("1969-12-31T23:59:59.999999999Z")).isEqualTo(Instant.parse("1969-12-31T23:59:59.999999999Z"));
    }
}
