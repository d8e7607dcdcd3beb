package io.fleetkit.protocol.spec;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.protocol.codec.MessageCodec;
import io.fleetkit.protocol.dps.DpsCodecs;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.id.RequestId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.DeviceMessageTopics;
import io.fleetkit.protocol.message.MessageType;
import io.fleetkit.protocol.message.Presence;
import io.fleetkit.protocol.method.MethodContracts;
import io.fleetkit.protocol.method.MethodError;
import io.fleetkit.protocol.method.MethodRequest;
import io.fleetkit.protocol.method.MethodResponse;
import io.fleetkit.protocol.method.ReferenceMethod;
import io.fleetkit.protocol.model.DeviceModels;
import io.fleetkit.protocol.mqtt.DpsOperationStatusTopic;
import io.fleetkit.protocol.mqtt.DpsRegisterTopic;
import io.fleetkit.protocol.mqtt.DpsResponseTopic;
import io.fleetkit.protocol.mqtt.DpsUsername;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.mqtt.MethodRequestTopic;
import io.fleetkit.protocol.mqtt.MethodResponseTopic;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.mqtt.TopicFilter;
import io.fleetkit.protocol.testport.Frame;
import io.fleetkit.protocol.testport.FrameType;
import io.fleetkit.protocol.testport.TestPortCodec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.TreeMap;

/**
 * Generates {@code protocol/spec/}: a JSON Schema per message and golden test vectors (JSON
 * text, CBOR hex, framed test-port hex, topic strings), all from the code. {@code SpecFilesTest}
 * fails when the files on disk differ from what this generates; regenerate with
 * {@code mvn -pl protocol test -Dtest=SpecFilesTest -Dfleetkit.spec.update=true}.
 */
public final class SpecExport {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final ObjectWriter PRETTY = JSON.writer(new DefaultPrettyPrinter()
            .withObjectIndenter(new DefaultIndenter("  ", "\n"))
            .withArrayIndenter(new DefaultIndenter("  ", "\n")));
    private static final HexFormat HEX = HexFormat.of();
    private static final String ID_BASE = "urn:fleetkit:spec:v1:";

    private SpecExport() {
    }

    /** Every spec file, by path relative to {@code protocol/spec/}, in a stable order. */
    public static Map<String, byte[]> generate() {
        Map<String, byte[]> files = new TreeMap<>();
        schemas(files);
        files.put("vectors/device-messages.json", pretty(deviceMessageVectors()));
        files.put("vectors/methods.json", pretty(methodVectors()));
        files.put("vectors/dps.json", pretty(dpsVectors()));
        files.put("vectors/topics.json", pretty(topicVectors()));
        files.put("vectors/test-port.json", pretty(testPortVectors()));
        return files;
    }

    /** Writes the files into {@code dir} (the command-line entry: {@code SpecExport protocol/spec}). */
    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "protocol/spec");
        for (Map.Entry<String, byte[]> e : generate().entrySet()) {
            Path file = dir.resolve(e.getKey());
            Files.createDirectories(file.getParent());
            Files.write(file, e.getValue());
        }
        System.out.println("wrote " + generate().size() + " files to " + dir);
    }

    private static void schemas(Map<String, byte[]> files) {
        schema(files, "schemas/device-message.schema.json", DeviceMessageCodec.CODEC);
        for (MessageType t : MessageType.values()) {
            schema(files, "schemas/" + t.wireName() + ".schema.json", DeviceMessageCodec.codecOf(t));
        }
        for (ReferenceMethod m : ReferenceMethod.values()) {
            var c = MethodContracts.of(m);
            schema(files, "schemas/methods/" + m.methodName().value() + ".request.schema.json", c.request());
            schema(files, "schemas/methods/" + m.methodName().value() + ".response.schema.json", c.response());
        }
        schema(files, "schemas/methods/method-error.schema.json", MethodContracts.ERROR_CODEC);
        schema(files, "schemas/dps/register-request.schema.json", DpsCodecs.REGISTER_REQUEST);
        schema(files, "schemas/dps/registration-operation.schema.json", DpsCodecs.OPERATION);
        schema(files, "schemas/dps/dps-error.schema.json", DpsCodecs.ERROR);
        for (FrameType t : FrameType.values()) {
            if (TestPortCodec.payloadCodec(t) != null) {
                schema(files, "schemas/test-port/" + slug(t) + ".schema.json", TestPortCodec.payloadCodec(t));
            }
        }
        schema(files, "schemas/device-model.schema.json", DeviceModels.CODEC);
    }

    private static void schema(Map<String, byte[]> files, String path, MessageCodec<?> codec) {
        files.put(path, pretty(codec.jsonSchema(ID_BASE + path)));
    }

    private static ArrayNode deviceMessageVectors() {
        ArrayNode out = JSON.createArrayNode();
        for (var sample : SpecSamples.deviceMessages()) {
            DeviceMessage m = sample.value();
            byte[] cbor = DeviceMessageCodec.CODEC.toCbor(m);
            ObjectNode v = out.addObject()
                    .put("name", sample.name())
                    .put("schema", "schemas/" + m.type().wireName() + ".schema.json")
                    .put("topic", DeviceMessageTopics.topicFor(SpecSamples.DEVICE, m).format())
                    .put("json", utf8(DeviceMessageCodec.CODEC.toJson(m)))
                    .put("cborHex", HEX.formatHex(cbor))
                    .put("frameHex", HEX.formatHex(TestPortCodec.toFrame(new io.fleetkit.protocol.testport.TestPortMessage.Message(m)).encode()));
            if (m instanceof Presence p) {
                ObjectNode sig = v.putObject("signature");
                sig.put("algorithm", "ECDSA P-256 SHA-256, DER, RFC 6979 deterministic");
                sig.put("testPrivateKeyHex", DeterministicSigner.TEST_KEY.toString(16).toUpperCase());
                sig.put("publicKeyHex", DeterministicSigner.TEST_PUBLIC_KEY_HEX);
                sig.put("signedContentHex", HEX.formatHex(Presence.signedContent(SpecSamples.DEVICE, p.nonce())));
                sig.put("signatureHex", HEX.formatHex(p.signature()));
            }
        }
        return out;
    }

    private static ObjectNode methodVectors() {
        ObjectNode out = JSON.createObjectNode();
        List<MethodRequest> requests = SpecSamples.methodRequests();
        List<MethodResponse> responses = SpecSamples.methodResponses();
        ArrayNode calls = out.putArray("calls");
        for (int i = 0; i < requests.size(); i++) {
            ReferenceMethod m = requests.get(i).method();
            var c = MethodContracts.of(m);
            RequestId rid = RequestId.of(i + 1);
            calls.addObject()
                    .put("method", m.methodName().value())
                    .put("requestTopic", new MethodRequestTopic(m.methodName(), rid).format())
                    .put("requestJson", utf8(c.request().toJson(requests.get(i))))
                    .put("responseTopic", new MethodResponseTopic(200, rid).format())
                    .put("responseJson", utf8(c.response().toJson(responses.get(i))));
        }
        MethodError error = new MethodError(MethodError.Code.INVALID_REQUEST,
                "$.intervalSeconds: expected an integer from 1 to 86400, found 0");
        out.putObject("error")
                .put("responseTopic", new MethodResponseTopic(error.error().status(), RequestId.of(9)).format())
                .put("responseJson", utf8(MethodContracts.ERROR_CODEC.toJson(error)));
        return out;
    }

    private static ObjectNode dpsVectors() {
        ObjectNode out = JSON.createObjectNode();
        out.put("username", DpsUsername.of(IdScope.DEFAULT, RegistrationId.of("dev-001")).format());
        out.put("registerTopic", new DpsRegisterTopic(RequestId.of(1)).format());
        out.put("registerJson", utf8(DpsCodecs.REGISTER_REQUEST.toJson(SpecSamples.registerRequest())));
        out.put("acceptedTopic", new DpsResponseTopic(202, RequestId.of(1), OptionalInt.of(3)).format());
        var ops = SpecSamples.operations();
        out.put("acceptedJson", utf8(DpsCodecs.OPERATION.toJson(ops.get(0).value())));
        out.put("pollTopic", new DpsOperationStatusTopic(RequestId.of(2), ops.get(0).value().operationId()).format());
        out.put("assignedTopic", new DpsResponseTopic(200, RequestId.of(2), OptionalInt.empty()).format());
        out.put("assignedJson", utf8(DpsCodecs.OPERATION.toJson(ops.get(1).value())));
        out.put("failedJson", utf8(DpsCodecs.OPERATION.toJson(ops.get(2).value())));
        out.put("throttledTopic", new DpsResponseTopic(429, RequestId.of(3), OptionalInt.of(5)).format());
        out.put("throttledJson", utf8(DpsCodecs.ERROR.toJson(SpecSamples.throttled())));
        return out;
    }

    private static ObjectNode topicVectors() {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode topics = out.putArray("topics");
        for (String t : List.of(
                "devices/dev-001/messages/events/$.mid=msg-0001&$.cid=corr-1&$.cdid=dev-001&$.ce=utf-8&$.ct=application%2Fjson&alert=false&sensor%20type=a%2Fb%26c%3Dd",
                "devices/dev-001/messages/events/",
                "devices/dev-001/modules/filter-1/messages/events/$.ct=application%2Fjson",
                "devices/dev-001/messages/devicebound/%24.mid=c2d-1&%24.to=%2Fdevices%2Fdev-001%2Fmessages%2Fdevicebound&color=blue",
                "$iothub/methods/POST/reboot/?$rid=42",
                "$iothub/methods/res/200/?$rid=42",
                "$iothub/twin/GET/?$rid=7",
                "$iothub/twin/PATCH/properties/reported/?$rid=8",
                "$iothub/twin/res/204/?$rid=8&$version=8",
                "$iothub/twin/PATCH/properties/desired/?$version=4",
                "$dps/registrations/PUT/iotdps-register/?$rid=1",
                "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=2&operationId=4.abc",
                "$dps/registrations/res/202/?$rid=1&retry-after=3")) {
            Topic parsed = Topic.parse(t);
            topics.addObject().put("topic", t).put("kind", parsed.getClass().getSimpleName())
                    .put("direction", parsed.direction().name()).put("value", parsed.toString());
        }
        ArrayNode usernames = out.putArray("usernames");
        usernames.add("127.0.0.1/dev-001/?api-version=2020-09-30&DeviceClientType="
                + "com.microsoft.azure.sdk.iot.iot-device-client%2F2.5.0%20%2817.0.15%3B%20Linux%3B%20amd64%29");
        usernames.add(HubUsername.of(io.fleetkit.protocol.id.HubHostName.of("127.0.0.1"), SpecSamples.DEVICE, null).format());
        usernames.add(DpsUsername.of(IdScope.DEFAULT, RegistrationId.of("dev-001")).format());
        ArrayNode filters = out.putArray("subscriptionFilters");
        filters.add(new TopicFilter.Devicebound(SpecSamples.DEVICE).format());
        for (TopicFilter.Fixed f : TopicFilter.Fixed.values()) {
            filters.add(f.format());
        }
        return out;
    }

    private static ObjectNode testPortVectors() {
        ObjectNode out = JSON.createObjectNode();
        out.put("framing", "COBS(type ‖ CBOR payload ‖ CRC-16/CCITT-FALSE big-endian over type and payload) then 0x00");
        ObjectNode types = out.putObject("frameTypes");
        for (FrameType t : FrameType.values()) {
            types.put(slug(t), String.format("0x%02X", t.code()));
        }
        ArrayNode frames = out.putArray("frames");
        for (var sample : SpecSamples.testPortMessages()) {
            Frame f = TestPortCodec.toFrame(sample.value());
            frames.addObject().put("name", sample.name()).put("type", slug(f.type()))
                    .put("payloadHex", HEX.formatHex(f.payload()))
                    .put("frameHex", HEX.formatHex(f.encode()));
        }
        return out;
    }

    private static String slug(FrameType t) {
        return t.name().toLowerCase().replace('_', '-');
    }

    private static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }

    private static byte[] pretty(JsonNode node) {
        try {
            return (PRETTY.writeValueAsString(node) + "\n").getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
