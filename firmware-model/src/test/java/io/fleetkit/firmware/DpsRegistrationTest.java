package io.fleetkit.firmware;

import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** DPS's MQTT registration as the firmware and the HIL bridge both run it: requests in order, each answer's meaning. */
class DpsRegistrationTest {
    private final DpsRegistration registration = new DpsRegistration(RegistrationId.of("dev-001"));

    private static DpsResponseTopic topic(String text) {
        return (DpsResponseTopic) Topic.parse(text);
    }

    private static byte[] json(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static final byte[] ASSIGNING = json("{\"operationId\":\"4.op\",\"status\":\"assigning\"}");
    private static final byte[] ASSIGNED = json("{\"operationId\":\"4.op\",\"status\":\"assigned\",\"registrationState\":{"
            + "\"registrationId\":\"dev-001\",\"assignedHub\":\"hub.local\",\"deviceId\":\"dev-001\",\"status\":\"assigned\","
            + "\"substatus\":\"initialAssignment\"}}");

    @Test
    void registersThenPollsTheOperationAfterItsRetryAfterUntilAssigned() {
        DpsRegistration.Request first = registration.next();
        assertThat(first.topic()).isEqualTo("$dps/registrations/PUT/iotdps-register/?$rid=1");
        assertThat(new String(first.body(), StandardCharsets.UTF_8)).contains("\"registrationId\":\"dev-001\"");
        assertThat(registration.hasOperation()).isFalse();

        assertThat(registration.answer(topic("$dps/registrations/res/202/?$rid=1&retry-after=3"), ASSIGNING))
                .isEqualTo(new DpsRegistration.Outcome.Pending(Duration.ofSeconds(3)));
        assertThat(registration.hasOperation()).isTrue();
        DpsRegistration.Request poll = registration.next();
        assertThat(poll.topic()).isEqualTo("$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=4.op");
        assertThat(poll.body()).isEmpty();

        assertThat(registration.answer(topic("$dps/registrations/res/202/?$rid=2"), ASSIGNING))
                .as("no retry-after: DPS's 2 s").isEqualTo(new DpsRegistration.Outcome.Pending(Duration.ofSeconds(2)));
        registration.next();
        assertThat(registration.answer(topic("$dps/registrations/res/200/?$rid=3"), ASSIGNED))
                .isEqualTo(new DpsRegistration.Outcome.Assigned("hub.local", "dev-001"));
    }

    @Test
    void answersToEarlierRequestsAreStaleAndChangeNothing() {
        assertThat(registration.answer(topic("$dps/registrations/res/200/?$rid=1"), ASSIGNED)).as("before any request")
                .isInstanceOf(DpsRegistration.Outcome.Stale.class);
        registration.next();
        registration.next();
        assertThat(registration.answer(topic("$dps/registrations/res/202/?$rid=1"), ASSIGNING))
                .isInstanceOf(DpsRegistration.Outcome.Stale.class);
        assertThat(registration.hasOperation()).isFalse();
    }

    @Test
    void throttlingRefusalsAndNonsenseEachSaySo() {
        registration.next();
        assertThat(registration.answer(topic("$dps/registrations/res/429/?$rid=1&retry-after=5"), new byte[0]))
                .isEqualTo(new DpsRegistration.Outcome.Throttled(Duration.ofSeconds(5)));
        assertThat(registration.next().topic()).as("still no operation: register again").contains("iotdps-register");

        var refused = registration.answer(topic("$dps/registrations/res/401/?$rid=2"), json("{\"errorCode\":401002}"));
        assertThat(refused).isInstanceOf(DpsRegistration.Outcome.Refused.class);
        assertThat(((DpsRegistration.Outcome.Refused) refused).reason()).contains("401", "401002");

        registration.next();
        var garbled = registration.answer(topic("$dps/registrations/res/200/?$rid=3"), json("{\"status\":"));
        assertThat(garbled).isInstanceOf(DpsRegistration.Outcome.Refused.class);

        registration.next();
        var failed = registration.answer(topic("$dps/registrations/res/200/?$rid=4"), json("{\"operationId\":\"4.op\",\"status\":\"failed\"}"));
        assertThat(((DpsRegistration.Outcome.Refused) failed).reason()).contains("ended");
    }
}
