package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.RequestId;
import org.junit.jupiter.api.Test;

import java.util.OptionalInt;
import java.util.OptionalLong;

import static io.fleetkit.protocol.Limits.accepts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The response topics' status range and the property bag's value semantics, at their edges. */
class TopicLimitsTest {
    private static final RequestId RID = RequestId.of("1");

    @Test
    void responseStatusesAreThreeDigitsAtMost() {
        accepts("status", 0, TopicParser.MAX_STATUS, s -> new TwinResponseTopic((int) s, RID, OptionalLong.empty()));
        accepts("status", 0, TopicParser.MAX_STATUS, s -> new DpsResponseTopic((int) s, RID, OptionalInt.empty()));
        accepts("status", 0, TopicParser.MAX_STATUS, s -> new MethodResponseTopic((int) s, RID));
    }

    @Test
    void versionsAndRetryAftersAreNotNegative() {
        assertThat(new TwinDesiredPatchTopic(0).version()).isZero();
        assertThatThrownBy(() -> new TwinDesiredPatchTopic(-1)).hasMessageContaining("version");
        assertThat(new TwinResponseTopic(200, RID, OptionalLong.of(0)).version()).hasValue(0);
        assertThatThrownBy(() -> new TwinResponseTopic(200, RID, OptionalLong.of(-1))).hasMessageContaining("version");
        assertThat(new DpsResponseTopic(202, RID, OptionalInt.of(0)).retryAfterSeconds()).hasValue(0);
        assertThatThrownBy(() -> new DpsResponseTopic(202, RID, OptionalInt.of(-1))).hasMessageContaining("retryAfterSeconds");
    }

    @Test
    void aPropertyBagIsAValue() {
        PropertyBag a = PropertyBag.builder().put("type", "alert").put(SystemProperty.CONTENT_TYPE, "application/json").build();
        PropertyBag same = PropertyBag.builder().put("type", "alert").put(SystemProperty.CONTENT_TYPE, "application/json").build();
        assertThat(a).isEqualTo(same).hasSameHashCodeAs(same).isNotEqualTo(PropertyBag.EMPTY)
                .isNotEqualTo(PropertyBag.builder().put("type", "telemetry").build());
        assertThat(a.isEmpty()).isFalse();
        assertThat(PropertyBag.EMPTY.isEmpty()).isTrue();
        assertThat(a.entries()).hasSize(2).containsEntry("type", "alert");
        PropertyBag more = a.toBuilder().put("level", "7").build();
        assertThat(more.entries()).hasSize(3).containsEntry("type", "alert").containsEntry("level", "7");
        assertThat(a.entries()).as("the original is unchanged").hasSize(2);
    }
}
