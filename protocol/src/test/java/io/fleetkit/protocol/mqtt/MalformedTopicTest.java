package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Each malformed topic is rejected with the index and the reason. */
class MalformedTopicTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "devices/dev-001/messages/event/x=1 | index 25: expected 'events/' (device to cloud) or 'devicebound/' (cloud to device)",
            "devices/dev 1/messages/events/ | index 8: invalid device id 'dev 1' at index 3: character U+0020 is not allowed",
            "devices//messages/events/ | index 8: empty device id",
            "devices/dev-001 | index 8: expected device id followed by '/'",
            "devices/dev-001/messages/events/$.mid | index 32: property '$.mid' has no '=' and value",
            "devices/dev-001/messages/events/$.foo=1 | index 32: unknown system property '$.foo'",
            "devices/dev-001/messages/events/a=1&a=2 | index 36: duplicate property 'a'",
            "devices/dev-001/messages/events/a=1& | index 35: trailing '&'",
            "devices/dev-001/messages/events/=1 | index 32: property with an empty key",
            "devices/dev-001/messages/events/a=%2 | index 34: '%' must be followed by two hexadecimal digits",
            "devices/dev-001/messages/events/a=%ZZ | index 34: '%' must be followed by two hexadecimal digits",
            "devices/dev-001/messages/events/a=%C3%28 | index 34: percent-encoded bytes are not valid UTF-8",
            "$iothub/methods/POST/reboot/ | index 28: expected '?' but found ''",
            "$iothub/methods/POST/reboot/?rid=1 | index 29: unexpected parameter 'rid'; expected $rid",
            "$iothub/methods/POST/reboot/?$rid= | index 34: invalid request id '' : must not be empty",
            "$iothub/methods/PUT/reboot/?$rid=1 | index 16: expected 'POST/' (a call to the device) or 'res/' (the device's answer)",
            "$iothub/methods/res/abc/?$rid=1 | index 20: status code 'abc' is not a decimal number",
            "$iothub/methods/res/0200/?$rid=1 | index 20: status code '0200' has a leading zero",
            "$iothub/methods/res/1000/?$rid=1 | index 20: status code '1000' is larger than 999",
            // found by TopicFuzzTest: past Long.MAX_VALUE the number wrapped negative and a record's own check threw
            "$iothub/twin/res/204/?$rid=8&$version=33333333333333333338 | $version '33333333333333333338' is larger than 9223372036854775807",
            "$iothub/twin/res/204/?$rid=1&$version=x | index 38: $version 'x' is not a decimal number",
            "$iothub/twin/PATCH/properties/desired/?$rid=1 | index 39: unexpected parameter '$rid'",
            "$iothub/twin/PATCH/properties/desired/? | index 39: missing parameter '$version'",
            "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2 | index 57: missing parameter 'operationId'",
            "$dps/registrations/res/202/?$rid=1&retry-after=-1 | index 47: retry-after '-1' is not a decimal number",
            "$dps/registrations/res/202/?$rid=1&$rid=2 | index 35: duplicate parameter '$rid'",
            "$dps/registrations/POST/iotdps-register/?$rid=1 | index 19: expected 'PUT/iotdps-register/'",
            "telemetry/dev-001 | index 0: not an IoT Hub or DPS topic",
    })
    void rejectedWithIndexAndReason(String topic, String expected) {
        assertThatThrownBy(() -> Topic.parse(topic.strip()))
                .isInstanceOf(ProtocolException.class)
                .hasMessageStartingWith("invalid topic '")
                .hasMessageContaining(expected.strip().replace("'' :", "'':"));
    }
}
