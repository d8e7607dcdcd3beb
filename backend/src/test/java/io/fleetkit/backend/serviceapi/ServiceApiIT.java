package io.fleetkit.backend.serviceapi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fleetkit.backend.Backend;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.ThrowAwayPki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The service API's answers over real HTTPS, request by request, as IoT Hub gives them: what the official SDKs do not send
 * (a wrong api-version, broken bodies, unsupported authentication types, stale etags) is refused in IoT Hub's error shape.
 */
@ThrowAwayPki.Use
class ServiceApiIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String V = "?api-version=2021-04-12";
    private static final String SELF_SIGNED = "{\"deviceId\":\"%s\",\"authentication\":{\"type\":\"selfSigned\",\"x509Thumbprint\":"
            + "{\"primaryThumbprint\":\"" + "AB".repeat(32) + "\"}}}";
    @TempDir
    static Path tmp;
    static Backend backend;
    static HttpClient http;
    static String token;

    @BeforeAll
    static void start(ThrowAwayPki pki) {
        backend = Backend.builder(pki.directory(), tmp.resolve("data")).hub(h -> h.port(0)).http("127.0.0.1", 0)
                .serviceApi(0, null, true).start();
        http = HttpClient.newBuilder().sslContext(TlsContexts.forClient(pki.directory().trustAnchors())).build();
        SharedAccessPolicies policies = SharedAccessPolicies.loadOrCreate(tmp.resolve("data"));
        token = SasAuthenticator.token(policies.find("iothubowner").orElseThrow(), "127.0.0.1", Instant.now().plusSeconds(600).getEpochSecond());
    }

    @AfterAll
    static void stop() {
        backend.close();
    }

    private static HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + backend.serviceApiPort() + path))
                .timeout(Duration.ofSeconds(20)).header("Authorization", token)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** The six-digit code and the text of an IoT Hub error body, checked for its shape. */
    private static void assertError(HttpResponse<String> r, int status, String code, String text) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("iothub-errorcode")).hasValue(code);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.get("Message").asText()).contains(text);
        assertThat(body.has("ExceptionMessage")).isTrue();
    }

    @Test
    void theApiVersionIsOneTheSdksSend() throws Exception {
        assertError(send("GET", "/devices/x?api-version=2099-01-01", null), 400, "InvalidProtocolVersion", "'2099-01-01' is not supported");
        assertError(send("GET", "/devices/x", null), 400, "InvalidProtocolVersion", "no api-version");
        assertThat(send("GET", "/statistics/devices?api-version=2020-09-30", null).statusCode()).isEqualTo(200);
    }

    @Test
    void registryUpdatesFollowTheirEtagsAndBadIdentitiesAreRefused() throws Exception {
        HttpResponse<String> added = send("PUT", "/devices/reg-1" + V, SELF_SIGNED.formatted("reg-1"));
        assertThat(added.statusCode()).as(added.body()).isEqualTo(200);
        String etag = JSON.readTree(added.body()).get("etag").asText();
        assertThat(added.headers().firstValue("ETag")).hasValue("\"" + etag + "\"");
        assertError(send("PUT", "/devices/reg-1" + V, SELF_SIGNED.formatted("reg-1")), 409, "DeviceAlreadyExists", "reg-1");

        String disable = "{\"deviceId\":\"reg-1\",\"status\":\"disabled\",\"authentication\":{\"type\":\"certificateAuthority\"}}";
        HttpResponse<String> updated = send("PUT", "/devices/reg-1" + V, disable, "If-Match", "\"" + etag + "\"");
        assertThat(updated.statusCode()).as(updated.body()).isEqualTo(200);
        assertThat(JSON.readTree(updated.body()).get("status").asText()).isEqualTo("disabled");
        assertThat(JSON.readTree(updated.body()).at("/authentication/type").asText()).isEqualTo("certificateAuthority");
        assertError(send("PUT", "/devices/reg-1" + V, disable, "If-Match", "\"" + etag + "\""), 412, "PreconditionFailed", "has changed");
        assertError(send("DELETE", "/devices/reg-1" + V, null, "If-Match", "\"" + etag + "\""), 412, "PreconditionFailed", "has changed");

        assertError(send("PUT", "/devices/reg-2" + V, "{\"deviceId\":\"reg-2\"}"), 400, "ArgumentInvalid", "'sas' is not supported by fleetkit");
        assertError(send("PUT", "/devices/reg-2" + V, "{\"deviceId\":\"other\",\"authentication\":{\"type\":\"certificateAuthority\"}}"), 400,
                "ArgumentInvalid", "is not 'reg-2' of the path");
        assertError(send("PUT", "/devices/reg-2" + V, "{\"authentication\":{\"type\":\"selfSigned\",\"x509Thumbprint\":{\"primaryThumbprint\":\"xyz\"}}}"),
                400, "ArgumentInvalid", "authentication.x509Thumbprint.primaryThumbprint: expected the SHA-1");
        assertError(send("PUT", "/devices/reg-2" + V, "{not json"), 400, "ArgumentInvalid", "not JSON");
        assertError(send("PUT", "/devices/reg-2" + V, "{\"status\":\"paused\",\"authentication\":{\"type\":\"certificateAuthority\"}}"), 400,
                "ArgumentInvalid", "status: 'enabled' or 'disabled'");
        assertError(send("PUT", "/devices/bad%20id" + V, SELF_SIGNED.formatted("bad id")), 400, "ArgumentInvalid", "device id");

        assertThat(send("DELETE", "/devices/reg-1" + V, null, "If-Match", "*").statusCode()).isEqualTo(204);
        assertError(send("GET", "/devices/reg-1" + V, null), 404, "DeviceNotFound", "reg-1");
        assertError(send("DELETE", "/devices/reg-1" + V, null, "If-Match", "*"), 404, "DeviceNotFound", "reg-1");
    }

    @Test
    void twinsPatchAndReplaceTagsAndDesiredUnderTheirEtag() throws Exception {
        send("PUT", "/devices/twin-1" + V, SELF_SIGNED.formatted("twin-1"));
        // the Java SDK's PATCH: a POST with X-HTTP-Method-Override
        HttpResponse<String> patched = send("POST", "/twins/twin-1" + V, "{\"tags\":{\"site\":\"A\",\"floor\":2},\"properties\":{\"desired\":{\"fan\":\"on\"}}}",
                "X-HTTP-Method-Override", "PATCH");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        JsonNode twin = JSON.readTree(patched.body());
        assertThat(twin.get("tags").toString()).isEqualTo("{\"site\":\"A\",\"floor\":2}");
        assertThat(twin.at("/properties/desired/fan").asText()).isEqualTo("on");
        assertThat(twin.at("/properties/desired/$version").asLong()).isEqualTo(2);
        assertThat(twin.get("version").asLong()).isEqualTo(3);

        HttpResponse<String> replaced = send("PUT", "/twins/twin-1" + V, "{\"tags\":{\"site\":\"B\"},\"properties\":{\"desired\":{}}}",
                "If-Match", twin.get("etag").asText());
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(200);
        JsonNode after = JSON.readTree(replaced.body());
        assertThat(after.get("tags").toString()).as("what the new twin lacks is deleted").isEqualTo("{\"site\":\"B\"}");
        assertThat(after.at("/properties/desired").has("fan")).isFalse();

        assertError(send("PATCH", "/twins/twin-1" + V, "{\"tags\":{\"x\":1}}", "If-Match", twin.get("etag").asText()), 412, "PreconditionFailed",
                "has changed");
        assertError(send("PATCH", "/twins/twin-1" + V, "{\"properties\":{\"reported\":{\"t\":1}}}"), 400, "ArgumentInvalid",
                "only the device sets its reported properties");
        assertError(send("PATCH", "/twins/twin-1" + V, "{}"), 400, "ArgumentInvalid", "nothing to patch");
        assertError(send("GET", "/twins/nobody" + V, null), 404, "DeviceNotFound", "nobody");
    }

    @Test
    void aMethodForAnOfflineDeviceWaitsItsConnectTimeoutThen404103() throws Exception {
        send("PUT", "/devices/meth-1" + V, SELF_SIGNED.formatted("meth-1"));
        long start = System.nanoTime();
        HttpResponse<String> r = send("POST", "/twins/meth-1/methods" + V,
                "{\"methodName\":\"reboot\",\"responseTimeoutInSeconds\":5,\"connectTimeoutInSeconds\":1,\"payload\":{}}");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(1));
        assertThat(r.statusCode()).isEqualTo(404);
        JsonNode inner = JSON.readTree(JSON.readTree(r.body()).get("Message").asText());
        assertThat(inner.get("errorCode").asInt()).as("IoT Hub's code, inside Message as the SDKs read it").isEqualTo(404103);

        assertError(send("POST", "/twins/meth-1/methods" + V, "{\"methodName\":\"reboot\",\"responseTimeoutInSeconds\":1}"), 400,
                "ArgumentInvalid", "responseTimeoutInSeconds: 5–300 seconds");
        assertError(send("POST", "/twins/meth-1/methods" + V, "{\"methodName\":\"\"}"), 400, "ArgumentInvalid", "methodName");
        assertError(send("POST", "/twins/nobody/methods" + V, "{\"methodName\":\"reboot\"}"), 404, "DeviceNotFound", "nobody");
    }

    @Test
    void whatIsNotAnOperationOrTooLargeIsRefusedInTheSameShape() throws Exception {
        assertError(send("GET", "/jobs/v2/query" + V, null), 404, "NotFound", "is not an operation of fleetkit's service API");
        assertError(send("PUT", "/devices/big" + V, "{\"x\":\"" + "a".repeat(200 * 1024) + "\"}"), 413, "MessageTooLarge", "over 192 KB");
        HttpResponse<String> noToken = http.send(HttpRequest.newBuilder(URI.create("https://127.0.0.1:" + backend.serviceApiPort() + "/devices/x" + V))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertError(noToken, 401, "IotHubUnauthorizedAccess", "no Authorization header");
    }
}
