package io.fleetkit.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class FleetkitCommandTest {
    @TempDir
    Path tmp;

    record Run(int exit, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = FleetkitCommand.execute(args, new PrintWriter(out, true), new PrintWriter(err, true));
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void helpListsTheCommands() {
        Run r = run("--help");
        assertThat(r.exit()).isZero();
        assertThat(r.out()).contains("pki", "demo", "Usage: fleetkit");
        assertThat(run("pki", "issue", "--help").out()).contains("--count", "--prefix", "--key");
    }

    @Test
    void helpWrapsDescriptionsAsParagraphsAndKeepsListings() {
        // the source's lines are ~120 columns: each would break again at the usual 80, leaving short fragments
        List<String> description = run("sim", "--help").out().lines()
                .filter(l -> !l.isEmpty() && !l.startsWith(" ") && !l.startsWith("Usage:"))
                .toList();
        assertThat(description).hasSizeGreaterThan(1);
        assertThat(description.subList(0, description.size() - 1)).allSatisfy(l -> assertThat(l.length()).isGreaterThan(60));
        assertThat(String.join(" ", description)).contains("direct methods. Device identities come from the PKI directory");
        assertThat(run("pki", "init", "--help").out()).contains("\n  root-ca.pem|.key, intermediate-ca.pem|.key, server.pem|.key, devices/\n");
    }

    @Test
    void initThenIssueContinuesNumbering() {
        Path dir = tmp.resolve("pki");
        Run init = run("pki", "init", "--dir", dir.toString());
        assertThat(init.exit()).as(init.err()).isZero();
        assertThat(init.out()).contains("created a PKI in " + dir);

        Run issue = run("pki", "issue", "--dir", dir.toString(), "--count", "3", "--threads", "2");
        assertThat(issue.exit()).as(issue.err()).isZero();
        assertThat(issue.out()).contains("issued 3 EC P-256 device identities (dev-00001 … dev-00003)", "certificates/s");
        assertThat(issue.err()).contains("issuing 3/3 (100%)");
        assertThat(dir.resolve("devices/dev-00003.pem")).exists();
        assertThat(dir.resolve("devices/dev-00003.key")).exists();

        Run more = run("pki", "issue", "--dir", dir.toString(), "--count", "2");
        assertThat(more.out()).contains("(dev-00004 … dev-00005)");
        Run clash = run("pki", "issue", "--dir", dir.toString(), "--count", "1", "--first", "2");
        assertThat(clash.exit()).isEqualTo(1);
        assertThat(clash.err()).startsWith("fleetkit pki issue: dev-00002 already exists in ").doesNotContain("Exception");

        Run again = run("pki", "init", "--dir", dir.toString());
        assertThat(again.exit()).isEqualTo(1);
        assertThat(again.err()).contains("already holds a PKI");
    }

    @Test
    void badInputNamesItselfWithoutAStackTrace() {
        Run unknown = run("pki", "issue", "--dir", tmp.toString(), "--count", "3", "--colour", "red");
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.err()).contains("Unknown options: '--colour'");

        Run notANumber = run("pki", "issue", "--dir", tmp.toString(), "--count", "many");
        assertThat(notANumber.exit()).isEqualTo(2);
        assertThat(notANumber.err()).contains("Invalid value for option '--count': 'many' is not an int");

        Run zero = run("pki", "issue", "--dir", tmp.toString(), "--count", "0");
        assertThat(zero.exit()).isEqualTo(2);
        assertThat(zero.err()).contains("--count must be 1–1000000, was 0");

        Run key = run("pki", "issue", "--dir", tmp.toString(), "--count", "1", "--key", "dsa");
        assertThat(key.err()).contains("--key: key algorithm 'dsa' is not supported; expected ec-p256 or rsa-2048");

        Run noPki = run("pki", "issue", "--dir", tmp.resolve("none").toString(), "--count", "1");
        assertThat(noPki.exit()).isEqualTo(1);
        assertThat(noPki.err()).contains("no such directory; create a PKI with 'fleetkit pki init --dir").doesNotContain("\tat ");

        run("pki", "init", "--dir", tmp.resolve("p").toString());
        Run prefix = run("pki", "issue", "--dir", tmp.resolve("p").toString(), "--count", "1", "--prefix", "Dev-");
        assertThat(prefix.exit()).isEqualTo(2);
        assertThat(prefix.err()).contains("--prefix: invalid registration id 'Dev-00001' at index 0");
    }

    @Test
    void demoRunsTheWholeLifecycleOnEmbeddedDefaultsAndReusesItsData() throws Exception {
        Path data = tmp.resolve("data");
        Run first = run("demo", "--data", data.toString(), "--devices", "4", "--duration", "6s", "--http-port", "0");
        assertThat(first.exit()).as(first.err()).isZero();
        assertThat(first.out()).contains("created a PKI in", "REST API http://127.0.0.1:", "operator token (valid 12 h): ey",
                "devices 4: 4 online, 0 gave up", "methodRoundTrip", "4 devices in the store");
        assertThat(data.resolve("summary.json")).exists();
        Run second = run("demo", "--data", data.toString(), "--devices", "4", "--duration", "3", "--http-port", "0");
        assertThat(second.out()).as("a bare number is seconds").contains("reusing the PKI", "for PT3S");
        assertThat(data.resolve("flash.json")).as("the devices' flash, kept between runs").exists();
        assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(data.resolve("summary.json").toFile()).get("registrations").asInt())
                .as("the second run's devices went straight to the hub in their flash").isZero();
        java.nio.file.Files.writeString(data.resolve("flash.json"), "{\"dev-00001\": {\"telemetryInterval\": 60}}");
        Run badFlash = run("demo", "--data", data.toString(), "--devices", "4", "--duration", "3", "--http-port", "0");
        assertThat(badFlash.exit()).isEqualTo(2);
        assertThat(badFlash.err()).contains("--flash: ", "flash.json at 'dev-00001': telemetryInterval and nextSeq must be integers");

        Run badDuration = run("demo", "--data", data.toString(), "--duration", "3 minutes");
        assertThat(badDuration.exit()).isEqualTo(2);
        assertThat(badDuration.err()).contains("'3 minutes' is not a duration; write it like 90 (seconds), 90s");
        Run badThrottle = run("demo", "--data", data.toString(), "--throttle", "s9");
        assertThat(badThrottle.exit()).isEqualTo(2);
        assertThat(badThrottle.err()).contains("--throttle: throttle profile 's9' is not known");
        Run tooMany = run("demo", "--data", data.toString(), "--devices", "10000");
        assertThat(tooMany.exit()).isEqualTo(2);
        assertThat(tooMany.err()).contains("--devices must be 1–9500");
    }

    @Test
    void serveStartsPrintsWhereItListensAndStops() {
        Path dir = tmp.resolve("serve-pki");
        run("pki", "init", "--dir", dir.toString());
        Path data = tmp.resolve("serve-data");
        Run serve = run("serve", "--pki", dir.toString(), "--data", data.toString(), "--port", "0", "--http-port", "0",
                "--service-port", "0", "--duration", "1s", "--throttle", "s1");
        assertThat(serve.exit()).as(serve.err()).isZero();
        assertThat(serve.out()).contains("fleetkit hub + DPS listening on 127.0.0.1:", "DPS id scope    0ne00000001",
                "throttling      s1 (connects 100/s", "group 'factory': CA fleetkit intermediate CA",
                "backend: store h2, streams [telemetry, lifecycle, alerts, events]", "REST API on http://127.0.0.1:",
                "fleetkit token --data " + data, "IoT Hub service API on https://127.0.0.1:",
                "service connection string: HostName=127.0.0.1;SharedAccessKeyName=iothubowner;SharedAccessKey=", "stopping");
        assertThat(data.resolve("streams/telemetry")).isDirectory();
        assertThat(data.resolve("service-policies.json")).isRegularFile();
        Run noPki = run("serve", "--data", tmp.resolve("empty").toString(), "--port", "0", "--http-port", "0");
        assertThat(noPki.exit()).isEqualTo(2);
        assertThat(noPki.err()).contains("no PKI in " + tmp.resolve("empty").resolve("pki") + ": make one with 'fleetkit pki init --dir");
        Run bad = run("serve", "--pki", dir.toString(), "--throttle", "s9");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--throttle: throttle profile 's9' is not known; expected off, f1, s1, s2 or s3");
        Run badDuration = run("serve", "--pki", dir.toString(), "--duration", "soon");
        assertThat(badDuration.err()).contains("'soon' is not a duration; write it like 90 (seconds), 90s, 5m, 1h30m, 7d or 250ms");
        Run scope = run("serve", "--pki", dir.toString(), "--id-scope", "1ne00000001");
        assertThat(scope.err()).contains("--id-scope: invalid id scope '1ne00000001' at index 0");
        Run badBind = run("serve", "--pki", dir.toString(), "--bind", "999.1.1.1");
        assertThat(badBind.exit()).isEqualTo(2);
        assertThat(badBind.err()).contains("--bind 999.1.1.1: not an IP address").doesNotContain("null");
    }

    @Test
    void serveIdentityAndServiceApiFlagsThatDoNotFitSayWhatToGive() {
        Path dir = tmp.resolve("oidc-pki");
        run("pki", "init", "--dir", dir.toString());
        Run noAudience = run("serve", "--pki", dir.toString(), "--oidc-issuer", "https://login.example.com/tenant/v2.0");
        assertThat(noAudience.err()).contains("--oidc-issuer needs --oidc-audience");
        Run noIssuer = run("serve", "--pki", dir.toString(), "--oidc-audience", "api://fleet");
        assertThat(noIssuer.err()).contains("--oidc-audience needs --oidc-issuer");
        Run plainHttp = run("serve", "--pki", dir.toString(), "--oidc-issuer", "http://login.example.com", "--oidc-audience", "fleet");
        assertThat(plainHttp.err()).contains("--oidc-issuer: plain http only for a provider on this host; use https for 'login.example.com'");
        Run claim = run("serve", "--pki", dir.toString(), "--oidc-issuer", "https://login.example.com", "--oidc-audience", "fleet",
                "--operator-claim", "admins");
        assertThat(claim.err()).contains("--operator-claim: expected CLAIM=VALUE, e.g. scope=fleet.admin or roles=fleet-operator, was 'admins'");
        Run devClaim = run("serve", "--pki", dir.toString(), "--operator-claim", "roles=ops");
        assertThat(devClaim.err()).contains("--operator-claim needs --oidc-issuer");
        Run port = run("serve", "--pki", dir.toString(), "--service-port", "70000");
        assertThat(port.err()).contains("--service-port must be 0–65535, was 70000");
        Run both = run("serve", "--pki", dir.toString(), "--service-port", "8443", "--no-service-api");
        assertThat(both.err()).contains("--service-port and --no-service-api contradict each other");
        for (Run r : new Run[]{noAudience, noIssuer, plainHttp, claim, devClaim, port, both}) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).doesNotContain("\tat ");
        }
    }

    @Test
    void serveStreamFlagsThatDoNotFitSayWhatToGive() throws Exception {
        Path dir = tmp.resolve("streams-pki");
        run("pki", "init", "--dir", dir.toString());
        Run noEngine = run("serve", "--pki", dir.toString(), "--kafka-bootstrap", "127.0.0.1:9092");
        assertThat(noEngine.exit()).isEqualTo(2);
        assertThat(noEngine.err()).contains("--kafka-bootstrap, --kafka-config, --kafka-topics and --no-create-topics need --streams kafka");
        Run noBroker = run("serve", "--pki", dir.toString(), "--streams", "kafka");
        assertThat(noBroker.err()).contains("--streams kafka needs --kafka-bootstrap HOST:PORT or --kafka-config FILE");
        Run unknown = run("serve", "--pki", dir.toString(), "--streams", "rabbit");
        assertThat(unknown.err()).contains("Invalid value for option '--streams': expected one of [file, kafka, eventhubs]");
        Run topics = run("serve", "--pki", dir.toString(), "--streams", "kafka", "--kafka-bootstrap", "127.0.0.1:9092",
                "--kafka-topics", "fleet");
        assertThat(topics.err()).contains("--kafka-topics: topic names 'fleet': must contain {endpoint}");
        Run missingFile = run("serve", "--pki", dir.toString(), "--streams", "kafka", "--kafka-config", tmp.resolve("none").toString());
        assertThat(missingFile.err()).contains("--kafka-config: Kafka config " + tmp.resolve("none") + ": no such file");
        Path eventHubs = tmp.resolve("eventhubs.properties");
        java.nio.file.Files.writeString(eventHubs, "bootstrap.servers=ns.servicebus.windows.net:9093\nmax.request.size=2000000\n");
        Run tooLarge = run("serve", "--pki", dir.toString(), "--streams", "eventhubs", "--kafka-config", eventHubs.toString());
        assertThat(tooLarge.exit()).isEqualTo(2);
        assertThat(tooLarge.err()).contains("--kafka-config: Event Hubs profile: max.request.size 2000000 must be under 1046528");
        if (System.getenv(StreamOptions.EVENT_HUBS_ENV) == null) {
            Run noConnection = run("serve", "--pki", dir.toString(), "--streams", "eventhubs");
            assertThat(noConnection.err()).contains("--streams eventhubs: set FLEETKIT_EVENTHUBS_CONNECTION_STRING");
        }
        for (Run r : new Run[]{noEngine, noBroker, unknown, topics, missingFile, tooLarge}) {
            assertThat(r.exit()).isEqualTo(2);
            assertThat(r.err()).doesNotContain("\tat ");
        }
    }

    @Test
    void serveCaptureFlagsThatDoNotFitSayWhatToGive() throws Exception {
        Path dir = tmp.resolve("capture-pki");
        run("pki", "init", "--dir", dir.toString());
        String pki = dir.toString();
        Run urlWithoutCapture = run("serve", "--pki", pki, "--capture-url", "https://acct.blob.core.windows.net/capture");
        assertThat(urlWithoutCapture.err()).contains("--capture-url and --capture-fields need --capture");
        Run urlForFiles = run("serve", "--pki", pki, "--capture", "--capture-url", "https://acct.blob.core.windows.net/capture");
        assertThat(urlForFiles.err()).contains("--capture-url needs --capture blob");
        Run noUrl = run("serve", "--pki", pki, "--capture", "blob");
        assertThat(noUrl.err()).contains("--capture blob needs --capture-url https://ACCOUNT.blob.core.windows.net/CONTAINER");
        Run noContainer = run("serve", "--pki", pki, "--capture", "blob", "--capture-url", "https://acct.blob.core.windows.net?sig=x");
        assertThat(noContainer.err()).contains("--capture-url: capture URL", "expected https://ACCOUNT.blob.core.windows.net/CONTAINER");
        Run unknown = run("serve", "--pki", pki, "--capture", "s3");
        assertThat(unknown.err()).contains("Invalid value for option '--capture': expected one of [file, blob]");
        Run badField = run("serve", "--pki", pki, "--capture", "--capture-fields", "readings..x");
        assertThat(badField.err()).contains("--capture-fields: capture body path 'readings..x': an empty member name");
        Run shortWindow = run("serve", "--pki", pki, "--capture", "--capture-window", "10ms");
        assertThat(shortWindow.err()).contains("--capture-window: capture window: at least 1 s");
        for (Run r : new Run[]{urlWithoutCapture, urlForFiles, noUrl, noContainer, unknown, badField, shortWindow}) {
            assertThat(r.exit()).as(r.err()).isEqualTo(2);
            assertThat(r.err()).doesNotContain("\tat ");
        }
        // a container that does not answer: not the user's typing, but one clear line all the same
        Run unreachable = run("serve", "--pki", pki, "--port", "0", "--http-port", "0", "--duration", "1s", "--data",
                tmp.resolve("capture-data").toString(), "--capture", "blob", "--capture-url",
                "http://127.0.0.1:1/devstoreaccount1/capture?sv=2021-08-06&sig=abc");
        assertThat(unreachable.exit()).isEqualTo(1);
        assertThat(unreachable.err().strip()).contains("capture container 127.0.0.1/devstoreaccount1/capture: cannot be reached or created")
                .doesNotContain("\tat ");
    }

    @Test
    void aDataDirectoryThatIsAFileSaysSoInOneLine() throws Exception {
        Path dir = tmp.resolve("file-pki");
        run("pki", "init", "--dir", dir.toString());
        Path file = java.nio.file.Files.writeString(tmp.resolve("not-a-directory"), "x");
        Run serve = run("serve", "--pki", dir.toString(), "--data", file.toString(), "--port", "0", "--http-port", "0", "--duration", "1s");
        assertThat(serve.exit()).isEqualTo(1);
        assertThat(serve.err().strip()).as("one line, no stack trace").doesNotContain("\n").doesNotContain("Exception")
                .contains("Not a directory");
        assertThat(serve.out()).doesNotContain("stopped");
    }

    @Test
    void tokenMintsAJwtThatTheServerOfTheSameDataDirectoryTrusts() throws Exception {
        Path data = tmp.resolve("token-data");
        Run user = run("token", "--data", data.toString(), "--user", "alice");
        assertThat(user.exit()).as(user.err()).isZero();
        String token = user.out().trim();
        assertThat(token.split("\\.")).hasSize(3);
        var keys = com.nimbusds.jose.jwk.JWKSet.parse(io.fleetkit.backend.api.DevTokenIssuer.loadOrCreate(data.resolve("dev-issuer.jwk"))
                .publicKeys().toString());
        var verifier = io.fleetkit.backend.api.TokenVerifier.forKeys(keys, io.fleetkit.backend.api.DevTokenIssuer.ISSUER,
                io.fleetkit.backend.api.DevTokenIssuer.AUDIENCE);
        assertThat(verifier.verify("Bearer " + token)).isEqualTo(new io.fleetkit.backend.api.Caller("alice", false));
        Run admin = run("token", "--data", data.toString(), "--admin", "--valid", "7d");
        assertThat(verifier.verify("Bearer " + admin.out().trim()).operator()).isTrue();

        assertThat(run("token", "--data", data.toString()).exit()).isEqualTo(2);
        Run both = run("token", "--data", data.toString(), "--user", "a", "--admin");
        assertThat(both.exit()).isEqualTo(2);
        assertThat(both.err()).contains("mutually exclusive");
        Path bad = java.nio.file.Files.createDirectories(tmp.resolve("bad-data"));
        java.nio.file.Files.writeString(bad.resolve("dev-issuer.jwk"), "{}");
        Run corrupt = run("token", "--data", bad.toString(), "--user", "alice");
        assertThat(corrupt.exit()).isEqualTo(1);
        assertThat(corrupt.err()).contains("dev-issuer.jwk: not a JSON Web Key").doesNotContain("Exception");
    }

    @Test
    void deviceAndSimRunAgainstTheEmbeddedHub() throws Exception {
        Path dir = tmp.resolve("dev-pki");
        run("pki", "init", "--dir", dir.toString());
        run("pki", "issue", "--dir", dir.toString(), "--count", "5");
        try (io.fleetkit.backend.EmbeddedHub hub = io.fleetkit.backend.EmbeddedHub.builder(io.fleetkit.protocol.pki.PkiDirectory.load(dir))
                .port(0).retryAfterSeconds(1).start()) {
            Path script = tmp.resolve("script.txt");
            java.nio.file.Files.writeString(script, "await online 30s\nstatus\nquit\n");
            Run device = run("device", "--pki", dir.toString(), "--id", "dev-00001", "--target", "127.0.0.1:" + hub.port(),
                    "--script", script.toString());
            assertThat(device.exit()).as(device.err()).isZero();
            assertThat(device.out()).contains("connected to DPS", "connected to HUB", "state online", "state ONLINE, hub 127.0.0.1");

            Path summary = tmp.resolve("summary.json");
            Run sim = run("sim", "--pki", dir.toString(), "--devices", "5", "--target", "127.0.0.1:" + hub.port(),
                    "--duration", "8s", "--summary", summary.toString());
            assertThat(sim.exit()).as(sim.err()).isZero();
            assertThat(sim.out()).contains("devices 5: 5 online, 0 gave up");
            var json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(summary.toFile());
            assertThat(json.get("devices").asInt()).isEqualTo(5);
            assertThat(json.get("online").asInt()).isEqualTo(5);
            assertThat(json.get("gaveUp").asInt()).isZero();
            assertThat(json.get("messagesAcked").asLong()).isGreaterThanOrEqualTo(5);
            assertThat(json.get("latencyMs").get("puback").get("p99").asDouble()).isPositive();

            // two swarm processes' summaries combine into one
            Path combined = tmp.resolve("combined.json");
            Run combine = run("sim", "--combine", summary + "," + summary, "--summary", combined.toString());
            assertThat(combine.exit()).as(combine.err()).isZero();
            assertThat(combine.out()).contains("devices 10: 10 online, 0 gave up", "(combined from 2 swarm processes)");
            var both = new com.fasterxml.jackson.databind.ObjectMapper().readTree(combined.toFile());
            assertThat(both.get("messagesAcked").asLong()).isEqualTo(2 * json.get("messagesAcked").asLong());
            assertThat(both.get("latencyMs").get("puback").get("count").asLong())
                    .isEqualTo(2 * json.get("latencyMs").get("puback").get("count").asLong());
        }
        Path embedded = tmp.resolve("embedded.json");
        Run withHub = run("sim", "--pki", dir.toString(), "--devices", "5", "--embedded-hub", "--method-rate", "20", "--duration", "8s",
                "--summary", embedded.toString());
        assertThat(withHub.exit()).as(withHub.err()).isZero();
        var e = new com.fasterxml.jackson.databind.ObjectMapper().readTree(embedded.toFile());
        assertThat(e.get("latencyMs").get("methodRoundTrip").get("count").asLong()).isPositive();
        assertThat(e.get("methodStatuses").get("200").asLong()).isPositive();
        Run noHub = run("sim", "--pki", dir.toString(), "--method-rate", "5");
        assertThat(noHub.err()).contains("--method-rate needs --embedded-hub");

        Run bad = run("sim", "--pki", dir.toString(), "--target", "nowhere");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("--target must be HOST:PORT, was 'nowhere'");
        Run unknown = run("device", "--pki", dir.toString(), "--id", "dev-99999");
        assertThat(unknown.exit()).isEqualTo(1);
        assertThat(unknown.err()).contains("no device 'dev-99999'");
    }
}
