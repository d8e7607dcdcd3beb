package io.fleetkit.protocol.model;

import io.fleetkit.protocol.message.Reading;

import java.util.Objects;

/**
 * How a simulated sensor produces values. The firmware model evaluates generators with a
 * seeded random source and the device's clock, so a run is reproducible.
 */
public sealed interface Generator {

    /** Whether this generator can feed a field of {@code type}. */
    boolean produces(FieldType type);

    /**
     * A bounded random walk: starts at {@code start}, moves by at most {@code step} per sample,
     * never leaves {@code [min, max]}.
     */
    record RandomWalk(double start, double min, double max, double step) implements Generator {
        public RandomWalk {
            if (!(min < max)) {
                throw new IllegalArgumentException("min, max: min must be below max, were " + min + " and " + max);
            }
            if (start < min || start > max) {
                throw new IllegalArgumentException("start: must lie within [min, max], was " + start);
            }
            if (!(step > 0) || step > max - min) {
                throw new IllegalArgumentException("step: must be positive and at most max - min, was " + step);
            }
        }

        @Override
        public boolean produces(FieldType type) {
            return type == FieldType.NUMBER || type == FieldType.INTEGER;
        }
    }

    /** {@code mean + amplitude · sin(2π · t / period)}, t in seconds since boot. */
    record Sine(double mean, double amplitude, double periodSeconds) implements Generator {
        public Sine {
            if (!(amplitude >= 0)) {
                throw new IllegalArgumentException("amplitude: must not be negative, was " + amplitude);
            }
            if (!(periodSeconds > 0)) {
                throw new IllegalArgumentException("periodSeconds: must be positive, was " + periodSeconds);
            }
        }

        @Override
        public boolean produces(FieldType type) {
            return type == FieldType.NUMBER || type == FieldType.INTEGER;
        }
    }

    /** {@code start}, {@code start + step}, …: energy meters, uptime. */
    record Counter(double start, double step) implements Generator {
        @Override
        public boolean produces(FieldType type) {
            return type == FieldType.NUMBER || type == FieldType.INTEGER;
        }
    }

    /** Always the same value, of any field type. */
    record Constant(Reading value) implements Generator {
        public Constant {
            Objects.requireNonNull(value, "value");
        }

        @Override
        public boolean produces(FieldType type) {
            return switch (type) {
                case NUMBER -> value instanceof Reading.Num;
                case INTEGER -> value instanceof Reading.Num n && n.value() == Math.rint(n.value());
                case BOOLEAN -> value instanceof Reading.Bool;
                case STRING -> value instanceof Reading.Text;
            };
        }
    }
}
