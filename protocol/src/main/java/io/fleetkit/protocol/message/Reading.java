package io.fleetkit.protocol.message;

import java.util.Objects;

/** One telemetry value: a number, a boolean or a short text (e.g. a mode). */
public sealed interface Reading permits Reading.Num, Reading.Bool, Reading.Text {

    static Reading of(double value) {
        return new Num(value);
    }

    /** {@link Bool#TRUE} or {@link Bool#FALSE}: a boolean reading is one of two values, made once. */
    static Reading of(boolean value) {
        return value ? Bool.TRUE : Bool.FALSE;
    }

    static Reading of(String value) {
        return new Text(value);
    }

    record Num(double value) implements Reading {
        public Num {
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("value: a reading must be finite, was " + value);
            }
        }
    }

    record Bool(boolean value) implements Reading {
        public static final Bool TRUE = new Bool(true);
        public static final Bool FALSE = new Bool(false);
    }

    record Text(String value) implements Reading {
        public static final int MAX_LENGTH = 256;

        public Text {
            Objects.requireNonNull(value, "value");
            if (value.length() > MAX_LENGTH) {
                throw new IllegalArgumentException("value: a text reading is at most " + MAX_LENGTH + " characters");
            }
        }
    }
}
