package io.fleetkit.protocol.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.DeviceMessage;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.mqtt.Topic;
import io.fleetkit.protocol.testport.FrameDecoder;
import io.fleetkit.protocol.testport.TestPortCodec;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.AlgorithmParameters;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Guards {@code protocol/spec/}: the files must be exactly what {@link SpecExport} generates,
 * and the vectors must agree with the schemas and the codecs. Run with
 * {@code -Dfleetkit.spec.update=true} to rewrite them after a deliberate change.
 */
class SpecFilesTest {
    static final Path SPEC = Path.of("spec");
    static final ObjectMapper JSON = new ObjectMapper();
    static final HexFormat HEX = HexFormat.of();

    @Test
    void specDirectoryMatchesTheCode() throws IOException {
        Map<String, byte[]> generated = SpecExport.generate();
        if (Boolean.getBoolean("fleetkit.spec.update")) {
            SpecExport.main(new String[]{SPEC.toString()});
        }
        Set<String> onDisk = new TreeSet<>();
        if (Files.isDirectory(SPEC)) {
            try (Stream<Path> files = Files.walk(SPEC)) {
                files.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("README.md"))
                        .forEach(p -> onDisk.add(SPEC.relativize(p).toString().replace('\\', '/')));
            }
        }
        assertThat(onDisk).as("files in protocol/spec (regenerate with -Dfleetkit.spec.update=true)")
                .containsExactlyInAnyOrderElementsOf(generated.keySet());
        List<String> stale = new ArrayList<>();
        for (var e : generated.entrySet()) {
            if (!java.util.Arrays.equals(Files.readAllBytes(SPEC.resolve(e.getKey())), e.getValue())) {
                stale.add(e.getKey());
            }
        }
        assertThat(stale).as("spec files that differ from what the code generates; "
                + "regenerate with mvn -pl protocol test -Dtest=SpecFilesTest -Dfleetkit.spec.update=true").isEmpty();
    }

    @Test
    void deviceMessageVectorsValidateAgainstTheirSchemasAndDecode() throws IOException {
        JsonNode vectors = JSON.readTree(SpecExport.generate().get("vectors/device-messages.json"));
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonSchema any = factory.getSchema(JSON.readTree(SpecExport.generate().get("schemas/device-message.schema.json")));
        assertThat(vectors.size()).isEqualTo(5);
        for (JsonNode v : vectors) {
            JsonSchema own = factory.getSchema(JSON.readTree(SpecExport.generate().get(v.get("schema").asText())));
            JsonNode body = JSON.readTree(v.get("json").asText());
            assertThat(own.validate(body)).as(v.get("name") + " against its schema").isEmpty();
            assertThat(any.validate(body)).as(v.get("name") + " against device-message").isEmpty();

            byte[] json = v.get("json").asText().getBytes(StandardCharsets.UTF_8);
            DeviceMessage m = DeviceMessageCodec.CODEC.fromJson(json);
            assertThat(DeviceMessageCodec.CODEC.fromCbor(HEX.parseHex(v.get("cborHex").asText()))).isEqualTo(m);
            assertThat(Topic.parse(v.get("topic").asText()).format()).isEqualTo(v.get("topic").asText());
            List<DeviceMessage> fromFrame = new ArrayList<>();
            new FrameDecoder().feed(HEX.parseHex(v.get("frameHex").asText()), r -> fromFrame.add(
                    ((TestPortCodec.fromFrame(((FrameDecoder.Result.Ok) r).frame())) instanceof io.fleetkit.protocol.testport.TestPortMessage.Message tm)
                            ? tm.message() : null));
            assertThat(fromFrame).containsExactly(m);
        }
    }

    @Test
    void schemasRejectWhatTheCodecsReject() throws IOException {
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        JsonSchema telemetry = factory.getSchema(JSON.readTree(SpecExport.generate().get("schemas/telemetry.schema.json")));
        for (String bad : List.of(
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":-1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1}}",
                "{\"v\":2,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{}}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"ts\":\"2026-11-26T09:30:00Z\",\"readings\":{\"t\":1},\"x\":1}",
                "{\"v\":1,\"type\":\"telemetry\",\"seq\":1,\"readings\":{\"t\":1}}")) {
            Set<ValidationMessage> errors = telemetry.validate(JSON.readTree(bad));
            assertThat(errors).as(bad).isNotEmpty();
        }
    }

    @Test
    void presenceVectorSignatureVerifiesWithThePublishedTestKey() throws Exception {
        JsonNode presence = JSON.readTree(SpecExport.generate().get("vectors/device-messages.json")).get(4);
        JsonNode sig = presence.get("signature");
        byte[] point = HEX.parseHex(sig.get("publicKeyHex").asText());
        AlgorithmParameters params = AlgorithmParameters.getInstance("EC");
        params.init(new ECGenParameterSpec("secp256r1"));
        ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
        PublicKey key = KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(new ECPoint(
                new BigInteger(1, java.util.Arrays.copyOfRange(point, 1, 33)),
                new BigInteger(1, java.util.Arrays.copyOfRange(point, 33, 65))), spec));
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(key);
        byte[] content = HEX.parseHex(sig.get("signedContentHex").asText());
        assertThat(new String(content, StandardCharsets.UTF_8)).isEqualTo("fleetkit-presence/v1\ndev-001\n" + SpecSamples.NONCE);
        verifier.update(content);
        assertThat(verifier.verify(HEX.parseHex(sig.get("signatureHex").asText()))).isTrue();
        assertThat(io.fleetkit.protocol.message.Presence.signedContent(DeviceId.of("dev-001"), SpecSamples.NONCE)).isEqualTo(content);
    }

    @Test
    void regenerationIsDeterministic() {
        Map<String, byte[]> a = SpecExport.generate();
        Map<String, byte[]> b = SpecExport.generate();
        assertThat(a.keySet()).isEqualTo(b.keySet());
        a.forEach((k, v) -> assertThat(b.get(k)).as(k).isEqualTo(v));
    }
}
