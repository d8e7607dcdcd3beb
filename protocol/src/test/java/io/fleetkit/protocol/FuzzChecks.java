package io.fleetkit.protocol;

import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The one property every decoder's fuzz target checks: what is accepted comes back unchanged through its encoder, and what
 * is not is refused with a {@link ProtocolException} — nothing else escapes.
 */
public final class FuzzChecks {
    private FuzzChecks() {
    }

    /** The input decodes to a value that encodes and decodes to itself, or is refused with a ProtocolException. */
    public static <I, T> void roundTripsOrRefuses(I input, Function<I, T> decode, Function<T, I> encode) {
        T value;
        try {
            value = decode.apply(input);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(decode.apply(encode.apply(value))).isEqualTo(value);
    }
}
