package io.fleetkit.protocol.codec;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.model.DeviceModels;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The streaming decoder against the tree decoder it replaced: for any input, the same message or the same error, word for
 * word — which problem wins when there are several included (syntax, then a lone surrogate, then an unknown member, then
 * the members in declaration order). Inputs: the spec's vectors, every truncation, deletion and many replacements of their
 * bytes, documents with several faults at once, and (Jazzer) anything.
 */
class StreamingDecoderTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final MessageCodec<?> MESSAGES = DeviceMessageCodec.CODEC;

    /** "ok " and the value encoded again, or "refused " and the error's message; anything else escapes the test. */
    private static <M> String outcome(Function<byte[], M> decode, Function<M, byte[]> encode, byte[] input) {
        try {
            return "ok " + HexFormat.of().formatHex(encode.apply(decode.apply(input)));
        } catch (ProtocolException e) {
            return "refused " + e.getMessage();
        }
    }

    private static <M> void agreesOnJson(MessageCodec<M> codec, byte[] input) {
        assertThat(outcome(codec::fromJson, codec::toJson, input)).as(new String(input, StandardCharsets.UTF_8))
                .isEqualTo(outcome(b -> codec.fromJsonTree(b, Subject.JSON), codec::toJson, input));
    }

    private static <M> void agreesOnCbor(MessageCodec<M> codec, byte[] input) {
        assertThat(outcome(codec::fromCbor, codec::toCbor, input)).as(HexFormat.of().formatHex(input))
                .isEqualTo(outcome(codec::fromCborTree, codec::toCbor, input));
    }

    private static List<JsonNode> vectors() throws IOException {
        List<JsonNode> out = new ArrayList<>();
        JSON.readTree(Files.readAllBytes(Path.of("spec/vectors/device-messages.json"))).forEach(out::add);
        return out;
    }

    @Test
    void everyVectorAndEveryCutDeletionAndReplacementOfItsBytesDecodesAlike() throws IOException {
        byte[] jsonSubstitutes = "{}[]\",:01-.entf\\x ".getBytes(StandardCharsets.UTF_8);
        SplittableRandom random = new SplittableRandom(21);
        int cases = 0;
        for (JsonNode v : vectors()) {
            byte[] json = v.get("json").asText().getBytes(StandardCharsets.UTF_8);
            byte[] cbor = HexFormat.of().parseHex(v.get("cborHex").asText());
            for (int i = 0; i <= json.length; i++) {
                agreesOnJson(MESSAGES, java.util.Arrays.copyOf(json, i));
                if (i < json.length) {
                    agreesOnJson(MESSAGES, deleted(json, i));
                    for (byte b : jsonSubstitutes) {
                        agreesOnJson(MESSAGES, replaced(json, i, b));
                        cases++;
                    }
                }
                cases += 2;
            }
            for (int i = 0; i <= cbor.length; i++) {
                agreesOnCbor(MESSAGES, java.util.Arrays.copyOf(cbor, i));
                if (i < cbor.length) {
                    agreesOnCbor(MESSAGES, deleted(cbor, i));
                    for (int b : new int[] {0x00, 0x1b, 0x3b, 0x40, 0x60, 0x80, 0xa0, 0xc2, 0xf4, 0xf6, 0xf9, 0xfa, 0xff, random.nextInt(256)}) {
                        agreesOnCbor(MESSAGES, replaced(cbor, i, (byte) b));
                        cases++;
                    }
                }
                cases += 2;
            }
        }
        assertThat(cases).as("mutations compared").isGreaterThan(10_000);
    }

    @Test
    void documentsWithSeveralFaultsReportTheSameOneFirst() {
        String[] documents = {
                // an unknown member after a member of the wrong type: the unknown member
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":\"x\",\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":1},\"zzz\":1}",
                // the discriminator last, after other members
                "{\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":1},\"v\":1,\"type\":\"telemetry\"}",
                // no discriminator; a discriminator that is not a text; one that names no variant
                "{\"v\":1,\"seq\":1}", "{\"v\":1,\"type\":[1,{\"a\":2}]}", "{\"v\":1,\"type\":\"telemetryy\"}",
                "{\"v\":1,\"type\":\"lifecycle\",\"event\":7,\"seq\":1}",
                // a fault inside the readings, then a missing member: declaration order (readings after ts)
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"readings\":{\"bad name\":1}}",
                // a semantic fault, then malformed syntax later: the syntax
                "{\"v\":2,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"x\",\"readings\":{\"a\":1}, oops}",
                // a semantic fault, then a duplicate member: the duplicate
                "{\"v\":2,\"type\":\"telemetry\",\"seq\":1,\"seq\":2}",
                // a semantic fault, then a lone surrogate: the surrogate; and one in a member name
                "{\"v\":2,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":\"\\ud800\"}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"\\udc00\":1}}",
                "{\"v\":1,\"type\":\"telemetry\",\"zz\":[\"\\ud800\"]}",
                // trailing data after a faulty document: the trailing data
                "{\"v\":3} {}", "{\"v\":1,\"type\":\"alert\"} 1",
                // readings: too many, empty, null, nested, a huge integer, a number out of range
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":null,\"b\":{\"c\":[1]}}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":{\"c\":[1,{\"d\":2}]},\"b\":null}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":123456789012345678901234567890,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":1e400}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":-0,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"a\":-0.0,\"b\":1E3}}",
                "{\"v\":1.0,\"type\":\"telemetry\"}", "{\"v\":null,\"type\":\"telemetry\"}", "null", "[]", "\"x\"", "  ", "{\"v\":1,\"type\":\"presence\","
                + "\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"nonce\":\"abcdefghabcdefgh\",\"signature\":\"!!\"}",
                // timestamps: the common form and what only ISO_INSTANT decides
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-02-30T09:30:00Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-12-31T23:59:60Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-12-31T23:59:59.123456789Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-12-31T24:00:00Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-12-31T22:00:00+01:00\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"+12026-12-31T22:00:00Z\",\"code\":\"x\",\"severity\":\"info\",\"detail\":\"\"}",
                "{\"v\":1,\"type\":\"alert\",\"seq\":1,\"ts\":\"2026-12-31T22:00:00.Z\",\"code\":\"x\",\"severity\":\"panic\",\"detail\":\"\"}",
        };
        for (String d : documents) {
            agreesOnJson(MESSAGES, d.getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void duplicateMembersAreFoundWhereverTheyAre() {
        String[] documents = {"{\"v\":1,\"v\":2}", "{\"ts\":1,\"ts\"w}" /* Jackson: the duplicate before the missing colon */, "{\"v\":1,  \"v\"  :2}", "{\"a\\u0041\":1,\"aA\":2}", "{\"v\":1,\n \"x\":{\"q\":1,\"q\":2}}",
                "{\"\u00e9\":1,\"é\":2}", "{\"v\":1,\"type\":\"telemetry\",\"zzz\":1,\"v\":1}", "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,"
                + "\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{" + manyReadings(40) + ",\"r7\":2}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{" + manyReadings(70) + ",\"r69\":2}}",
                "[{\"a\":1},{\"a\":1,\"b\":{\"a\":1}}]", "{\"v\":1,\"type\":\"alert\",\"x\":[{\"a\":1,\"a\":2}]}"};
        for (String d : documents) {
            agreesOnJson(MESSAGES, d.getBytes(StandardCharsets.UTF_8));
        }
        // CBOR: {"v":1,"v":2}, and a duplicate inside the readings
        agreesOnCbor(MESSAGES, HexFormat.of().parseHex("a2617601617602"));
        agreesOnCbor(MESSAGES, HexFormat.of().parseHex("a5617601647479706569" + "74656c656d65747279" + "6373657101627473" + "74"
                + "323032362d31312d32365430393a33303a30305a" + "68726561646e6e6773" + "a2616101616102"));
    }

    private static String manyReadings(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",").append("\"r").append(i).append("\":").append(i);
        }
        return sb.toString();
    }

    @Test
    void aDeviceModelWithListsNestedObjectsAndFreeJsonDecodesAlike() throws IOException {
        byte[] model;
        try (InputStream in = DeviceModels.class.getResourceAsStream("/io/fleetkit/protocol/models/thermostat.json")) {
            model = in.readAllBytes();
        }
        agreesOnJson(DeviceModels.CODEC, model);
        SplittableRandom random = new SplittableRandom(7);
        byte[] substitutes = "{}[]\",:0-tn\\ ".getBytes(StandardCharsets.UTF_8);
        for (int n = 0; n < 3_000; n++) {
            int i = random.nextInt(model.length);
            agreesOnJson(DeviceModels.CODEC, random.nextBoolean() ? deleted(model, i) : replaced(model, i, substitutes[random.nextInt(substitutes.length)]));
        }
    }

    @FuzzTest(maxDuration = "30s")
    void json(FuzzedDataProvider data) {
        agreesOnJson(MESSAGES, data.consumeRemainingAsBytes());
    }

    @FuzzTest(maxDuration = "30s")
    void cbor(FuzzedDataProvider data) {
        agreesOnCbor(MESSAGES, data.consumeRemainingAsBytes());
    }

    private static byte[] deleted(byte[] b, int i) {
        byte[] out = new byte[b.length - 1];
        System.arraycopy(b, 0, out, 0, i);
        System.arraycopy(b, i + 1, out, i, b.length - i - 1);
        return out;
    }

    private static byte[] replaced(byte[] b, int i, byte with) {
        byte[] out = b.clone();
        out[i] = with;
        return out;
    }
}
