package io.fleetkit.backend.serviceapi;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SharedAccessPoliciesTest {
    @Test
    void theDefaultsAreIotHubsFiveKeptOwnerOnlyAndReadBackTheSame(@TempDir Path data) throws Exception {
        SharedAccessPolicies made = SharedAccessPolicies.loadOrCreate(data);
        assertThat(made.all()).extracting(SharedAccessPolicy::name)
                .containsExactly("iothubowner", "service", "device", "registryRead", "registryReadWrite");
        Path file = data.resolve(SharedAccessPolicies.FILE);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(Files.readString(file)).contains("\"rights\" : \"RegistryWrite, ServiceConnect, DeviceConnect\"");

        SharedAccessPolicies again = SharedAccessPolicies.loadOrCreate(data);
        assertThat(again.find("service").orElseThrow().primaryKey()).isEqualTo(made.find("service").orElseThrow().primaryKey());
        assertThat(again.connectionString("127.0.0.1", "iothubowner"))
                .isEqualTo("HostName=127.0.0.1;SharedAccessKeyName=iothubowner;SharedAccessKey=" + made.find("iothubowner").orElseThrow().primaryKey());
        assertThat(again.find("registryRead").orElseThrow().allows(Permission.REGISTRY_WRITE)).isFalse();
        assertThat(again.find("registryReadWrite").orElseThrow().allows(Permission.REGISTRY_READ)).isTrue();
    }

    @Test
    void aBrokenFileIsRefusedSayingWhereAndWhat() {
        String key = SharedAccessPolicies.newKey();
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{", "p.json")).hasMessageStartingWith("p.json: not JSON");
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":{}}", "p.json")).hasMessageContaining("expected {\"policies\":[");
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":[{\"name\":\"a\",\"primaryKey\":\"" + key
                + "\",\"secondaryKey\":\"" + key + "\",\"rights\":\"RegistryRead, Everything\"}]}", "p.json"))
                .hasMessage("p.json: policies[0]: unknown permission 'Everything' (expected RegistryRead, RegistryWrite, ServiceConnect or DeviceConnect)");
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":[{\"name\":\"a\",\"primaryKey\":\"c2hvcnQ=\",\"secondaryKey\":\""
                + key + "\",\"rights\":\"RegistryRead\"}]}", "p.json")).hasMessageContaining("policies[0]: policy 'a': primaryKey must be 16–64 bytes");
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":[{\"name\":\"a\",\"secondaryKey\":\"" + key
                + "\",\"rights\":\"RegistryRead\"}]}", "p.json")).hasMessage("p.json: policies[0]: 'primaryKey' missing or not a string");
        String one = "{\"name\":\"a\",\"primaryKey\":\"" + key + "\",\"secondaryKey\":\"" + key + "\",\"rights\":\"RegistryRead\"}";
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":[" + one + "," + one + "]}", "p.json"))
                .hasMessage("p.json: policy 'a' is defined twice");
        assertThatThrownBy(() -> SharedAccessPolicies.parse("{\"policies\":[]}", "p.json")).hasMessage("p.json: no shared access policies");
    }
}
