package io.fleetkit.junit;

import io.fleetkit.protocol.pki.DeviceIdentity;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.HttpURLConnection;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What @FleetkitTest gives a class: one platform for all its methods, on free ports, with identities and the API. */
@FleetkitTest
class FleetkitExtensionTest {
    private static Fleetkit first;

    @BeforeAll
    static void started(Fleetkit fleetkit) {
        first = fleetkit;
    }

    @Test
    void oneRunningPlatformPerClassOnAFreePort(Fleetkit fleetkit) throws Exception {
        assertThat(fleetkit).isSameAs(first);
        assertThat(fleetkit.port()).isPositive().isNotEqualTo(8883);
        assertThat(fleetkit.idScope()).isEqualTo("0ne00000001");
        assertThat(Files.readString(fleetkit.rootCaPem())).startsWith("-----BEGIN CERTIFICATE-----");
        HttpURLConnection health = (HttpURLConnection) fleetkit.api().resolve("/healthz").toURL().openConnection();
        assertThat(health.getResponseCode()).isEqualTo(200);
        assertThat(fleetkit.token("alice", false)).contains(".");
    }

    @Test
    void devicesAreIssuedAndRegistered(Fleetkit fleetkit) {
        DeviceIdentity d = fleetkit.device("dev-42");
        assertThat(fleetkit.hub().registry().find(d.deviceId())).isPresent();
        assertThat(fleetkit.connectionString(d)).isEqualTo("HostName=127.0.0.1;DeviceId=dev-42;x509=true");
        assertThat(fleetkit.certificateChainPem(d)).contains("BEGIN CERTIFICATE");
        assertThat(fleetkit.tls(d).getProtocol()).startsWith("TLS");
        assertThat(fleetkit.devices().isConnected(d.deviceId())).isFalse();
    }

    @AfterAll
    static void theHubAndPkiAreGoneAfterTheClass() {
        // the store closes the platform after @AfterAll; here it still runs
        assertThat(first.hub().port()).isPositive();
        Path pki = first.pki().directory().dir();
        assertThat(pki).exists();
    }

    @org.junit.jupiter.api.Nested
    @FleetkitTest(backend = false)
    class HubOnly {
        @Test
        void theBackendIsNotThere(Fleetkit fleetkit) {
            assertThatThrownBy(fleetkit::backend).isInstanceOf(IllegalStateException.class).hasMessageContaining("backend = false");
        }
    }
}
