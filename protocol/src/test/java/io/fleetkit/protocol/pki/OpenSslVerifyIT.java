package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * OpenSSL, the reference the embedded team checks against, accepts the factory's output:
 * {@code openssl verify -CAfile root.pem -untrusted intermediate.pem device.pem}, and the PKCS#8
 * key file matches the certificate. .ci/run installs openssl where it is missing.
 */
@Timeout(60)
class OpenSslVerifyIT {
    @TempDir
    Path tmp;

    @Test
    void openSslVerifiesDeviceCertificatesAndReadsTheirKeys() throws Exception {
        CertificateIssuer issuer = new CertificateIssuer();
        PkiDirectory pki = PkiDirectory.init(tmp, PkiDirectory.DEFAULT_SERVER_SANS, issuer);
        for (KeyAlgorithm alg : KeyAlgorithm.values()) {
            String id = "dev-openssl-" + alg.name().toLowerCase().replace('_', '-');
            pki.store(issuer.issueDevice(pki.intermediate(), RegistrationId.of(id), alg));
            Path pem = pki.devicesDir().resolve(id + ".pem");
            // device.pem holds leaf + intermediate; openssl verify reads the first certificate of the file
            Result verify = run("openssl", "verify", "-CAfile", "root-ca.pem", "-untrusted", "intermediate-ca.pem", pem.toString());
            assertThat(verify.output()).as(verify.output()).contains(pem + ": OK");
            assertThat(verify.exit()).isZero();

            String certKey = run("openssl", "x509", "-in", pem.toString(), "-noout", "-pubkey").output();
            String fileKey = run("openssl", "pkey", "-in", pki.devicesDir().resolve(id + ".key").toString(), "-pubout").output();
            assertThat(fileKey).isEqualTo(certKey);
            assertThat(run("openssl", "x509", "-in", pem.toString(), "-noout", "-subject").output()).contains("CN = " + id);
        }
        Result server = run("openssl", "verify", "-CAfile", "root-ca.pem", "-untrusted", "intermediate-ca.pem",
                "-purpose", "sslserver", "server.pem");
        assertThat(server.output()).contains("server.pem: OK");
        Result wrongRoot = run("openssl", "verify", "-CAfile", "intermediate-ca.pem", pki.devicesDir().resolve("dev-openssl-ec-p256.pem").toString());
        assertThat(wrongRoot.exit()).as("a partial chain must not verify").isNotZero();
    }

    private record Result(int exit, String output) {
    }

    private Result run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(List.of(command)).directory(tmp.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
