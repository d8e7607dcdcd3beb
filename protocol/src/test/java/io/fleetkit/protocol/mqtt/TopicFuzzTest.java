package io.fleetkit.protocol.mqtt;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.protocol.FuzzChecks;
import io.fleetkit.protocol.ProtocolException;

import java.util.function.Function;

/**
 * The topic, filter and username grammars against any text (Jazzer): each either parses or is refused with a
 * {@link ProtocolException} — nothing else escapes — and what parses formats back to text that parses to the same value.
 * (Unicode in property values is the property tests' part: {@link TopicPropertiesTest}.)
 * In every build the seed inputs under {@code src/test/resources/…/TopicFuzzTestInputs/} run as regression tests; with
 * {@code JAZZER_FUZZ=1} ({@code mvn -Pfuzz verify}) Jazzer fuzzes each target for a bounded time.
 */
class TopicFuzzTest {

    @FuzzTest(maxDuration = "60s")
    void topics(FuzzedDataProvider data) {
        parsesBackOrRefuses(data, Topic::parse, Topic::format);
    }

    @FuzzTest(maxDuration = "60s")
    void filters(FuzzedDataProvider data) {
        parsesBackOrRefuses(data, TopicFilter::parse, TopicFilter::format);
    }

    @FuzzTest(maxDuration = "60s")
    void usernames(FuzzedDataProvider data) {
        parsesBackOrRefuses(data, MqttUsername::parse, MqttUsername::format);
    }

    /** The grammars are ASCII (anything else is percent-encoded). */
    private static <T> void parsesBackOrRefuses(FuzzedDataProvider data, Function<String, T> parse, Function<T, String> format) {
        FuzzChecks.roundTripsOrRefuses(data.consumeRemainingAsAsciiString(), parse, format);
    }
}
