package io.fleetkit.protocol.mqtt;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.fleetkit.protocol.ProtocolException;

import static org.assertj.core.api.Assertions.assertThat;

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
        String text = data.consumeRemainingAsAsciiString(); // the grammars are ASCII (anything else is percent-encoded)
        Topic topic;
        try {
            topic = Topic.parse(text);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(Topic.parse(topic.format())).isEqualTo(topic);
    }

    @FuzzTest(maxDuration = "60s")
    void filters(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsAsciiString(); // the grammars are ASCII (anything else is percent-encoded)
        TopicFilter filter;
        try {
            filter = TopicFilter.parse(text);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(TopicFilter.parse(filter.format())).isEqualTo(filter);
    }

    @FuzzTest(maxDuration = "60s")
    void usernames(FuzzedDataProvider data) {
        String text = data.consumeRemainingAsAsciiString(); // the grammars are ASCII (anything else is percent-encoded)
        MqttUsername username;
        try {
            username = MqttUsername.parse(text);
        } catch (ProtocolException refused) {
            return;
        }
        assertThat(MqttUsername.parse(username.format())).isEqualTo(username);
    }
}
