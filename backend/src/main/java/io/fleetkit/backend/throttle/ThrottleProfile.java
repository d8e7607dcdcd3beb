package io.fleetkit.backend.throttle;

import java.util.Locale;

/**
 * Which of Azure's published quotas to emulate: {@code off} (the default for local work), or an
 * IoT Hub tier with a unit count and the DPS service limits.
 *
 * <ul>
 * <li>IoT Hub new device connections and device-to-cloud sends, per second: F1 100; S1 the
 *     higher of 100 and 12 per unit; S2 120 per unit; S3 6,000 per unit.</li>
 * <li>DPS registrations and operations: 1,000 per minute per instance; status polls: 5 per
 *     10 seconds per device. DPS admits short bursts only (a burst of 1,000 registrations sees
 *     most of them answered 429), modelled here as a bucket of 100.</li>
 * </ul>
 *
 * @param connectsPerSecond      0 = unlimited
 * @param sendsPerSecond         0 = unlimited
 * @param dpsOperationsPerMinute 0 = unlimited
 * @param pollsPer10sPerDevice   0 = unlimited
 */
public record ThrottleProfile(String name, double connectsPerSecond, double sendsPerSecond, double dpsOperationsPerMinute,
                              int pollsPer10sPerDevice) {
    public static final ThrottleProfile OFF = new ThrottleProfile("off", 0, 0, 0, 0);
    /** DPS's limits, the same for every hub tier. */
    static final double DPS_OPERATIONS_PER_MINUTE = 1000;
    static final int DPS_POLLS_PER_10S = 5;

    public boolean isOff() {
        return connectsPerSecond == 0 && sendsPerSecond == 0 && dpsOperationsPerMinute == 0 && pollsPer10sPerDevice == 0;
    }

    /**
     * Parses {@code off}, {@code f1}, {@code s1}, {@code s2}, {@code s3}, optionally with a unit count:
     * {@code s1}, {@code s1x4}, {@code s3x2}.
     *
     * @throws IllegalArgumentException naming what is accepted
     */
    public static ThrottleProfile parse(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("off")) {
            return OFF;
        }
        String tier = t;
        int units = 1;
        int x = t.indexOf('x');
        if (x > 0) {
            tier = t.substring(0, x);
            try {
                units = Integer.parseInt(t.substring(x + 1));
            } catch (NumberFormatException e) {
                units = -1;
            }
            if (units < 1 || units > 200) {
                throw new IllegalArgumentException("throttle profile '" + text + "': the unit count must be 1–200");
            }
        }
        double perSecond = switch (tier) {
            case "f1" -> {
                if (units != 1) {
                    throw new IllegalArgumentException("throttle profile '" + text + "': F1 has a single unit");
                }
                yield 100;
            }
            case "s1" -> Math.max(100, 12.0 * units);
            case "s2" -> 120.0 * units;
            case "s3" -> 6000.0 * units;
            default -> throw new IllegalArgumentException("throttle profile '" + text
                    + "' is not known; expected off, f1, s1, s2 or s3, optionally with units as in s1x4");
        };
        return new ThrottleProfile(units == 1 ? tier : tier + "x" + units, perSecond, perSecond, DPS_OPERATIONS_PER_MINUTE, DPS_POLLS_PER_10S);
    }

    @Override
    public String toString() {
        return isOff() ? "off" : String.format(Locale.ROOT, "%s (connects %.0f/s, sends %.0f/s, DPS %.0f operations/min, %d polls/10 s per device)",
                name, connectsPerSecond, sendsPerSecond, dpsOperationsPerMinute, pollsPer10sPerDevice);
    }
}
