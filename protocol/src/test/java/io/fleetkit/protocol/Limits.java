package io.fleetkit.protocol;

import java.util.function.LongFunction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Checks a documented range exactly: both ends accepted, one past either end refused naming the field. */
public final class Limits {
    private Limits() {
    }

    /** A value out of range is refused: by a constructor's argument check, or by the grammar of the text it reads. */
    public static void accepts(String field, long min, long max, LongFunction<?> make) {
        assertThat(make.apply(min)).as("%s = %d (its minimum)", field, min).isNotNull();
        assertThat(make.apply(max)).as("%s = %d (its maximum)", field, max).isNotNull();
        assertThatThrownBy(() -> make.apply(min - 1)).as("%s = %d", field, min - 1)
                .isInstanceOfAny(IllegalArgumentException.class, ProtocolException.class).hasMessageContaining(field);
        assertThatThrownBy(() -> make.apply(max + 1)).as("%s = %d", field, max + 1)
                .isInstanceOfAny(IllegalArgumentException.class, ProtocolException.class).hasMessageContaining(field);
    }

    /** Text of {@code n} characters of {@code c}. */
    public static String text(char c, long n) {
        return String.valueOf(c).repeat((int) n);
    }
}
