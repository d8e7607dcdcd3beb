package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.DeviceId;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.StringLength;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Topic grammar invariants for any identifier and any property bag the grammar allows. */
class TopicPropertiesTest {

    @Provide
    Arbitrary<String> deviceIds() {
        return Arbitraries.strings().withChars("abcXYZ019-.+%_#*?!(),:=@$'").ofMinLength(1).ofMaxLength(128);
    }

    @Provide
    Arbitrary<Map<String, String>> applicationProperties() {
        Arbitrary<String> keys = Arbitraries.strings().ofMinLength(1).ofMaxLength(20).filter(k -> !k.startsWith("$."))
                .filter(TopicPropertiesTest::wellFormed);
        Arbitrary<String> values = Arbitraries.strings().ofMaxLength(30).filter(TopicPropertiesTest::wellFormed);
        return Arbitraries.maps(keys, values).ofMaxSize(5);
    }

    @Property(tries = 500)
    void parsingAFormattedTelemetryTopicGivesItBack(@ForAll("deviceIds") String id,
                                                    @ForAll("applicationProperties") Map<String, String> properties) {
        PropertyBag.Builder bag = PropertyBag.builder();
        properties.forEach(bag::put);
        TelemetryTopic topic = new TelemetryTopic(DeviceId.of(id), bag.build());
        assertThat(Topic.parse(topic.format())).isEqualTo(topic);
    }

    @Property(tries = 500)
    void percentEncodingRoundTrips(@ForAll @StringLength(max = 60) String value) {
        Assume.that(wellFormed(value));
        String encoded = PercentCodec.encode(value);
        assertThat(encoded).doesNotContain("&", "=", "/", "#", "+", " ");
        assertThat(PercentCodec.decode(encoded, 0, encoded.length(), io.fleetkit.protocol.ProtocolException.Subject.TOPIC, encoded, 0))
                .isEqualTo(value);
    }

    /** A Java string that is valid Unicode (no lone surrogate): only those have a UTF-8 form to percent-encode. */
    static boolean wellFormed(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c)) {
                if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    return false;
                }
                i++;
            } else if (Character.isLowSurrogate(c)) {
                return false;
            }
        }
        return true;
    }
}
