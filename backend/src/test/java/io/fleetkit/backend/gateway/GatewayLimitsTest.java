package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.message.Messages;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The gateway's bounds and listening configuration: their defaults, their edges, and the reasons for what they refuse. */
class GatewayLimitsTest {
    static final GatewayLimits D = GatewayLimits.defaults();

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertThat(D.connectDeadline()).isEqualTo(Duration.ofSeconds(30));
        assertThat(D.maxPreConnectBytes()).isEqualTo(8192);
        assertThat(D.maxPendingConnections()).isEqualTo(4096);
        assertThat(D.maxPendingPerSource()).isEqualTo(2048);
        assertThat(D.maxKeepAlive()).isEqualTo(Duration.ofSeconds(1767)).isEqualTo(GatewayLimits.IOT_HUB_MAX_KEEP_ALIVE);
        assertThat(D.maxInflightPerConnection()).isEqualTo(64);
        assertThat(D.ingestBudgetBytes()).isEqualTo(Math.min(256L << 20, Runtime.getRuntime().maxMemory() / 8));
        long descriptors = ((com.sun.management.UnixOperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getMaxFileDescriptorCount();
        assertThat(D.maxConnections()).as("the descriptor limit less what the process keeps for itself")
                .isEqualTo((int) Math.max(100, descriptors - GatewayLimits.RESERVED_DESCRIPTORS));
    }

    @Test
    void eachWitherChangesItsOwnBoundsOnly() {
        GatewayLimits deadline = D.withConnectDeadline(Duration.ofSeconds(2));
        assertThat(deadline).isEqualTo(new GatewayLimits(Duration.ofSeconds(2), 8192, 4096, 2048, D.maxKeepAlive(), 64, D.ingestBudgetBytes(), D.maxConnections()));
        assertThat(D.withPendingConnections(10, 3))
                .isEqualTo(new GatewayLimits(D.connectDeadline(), 8192, 10, 3, D.maxKeepAlive(), 64, D.ingestBudgetBytes(), D.maxConnections()));
        assertThat(D.withMaxKeepAlive(Duration.ofSeconds(60)))
                .isEqualTo(new GatewayLimits(D.connectDeadline(), 8192, 4096, 2048, Duration.ofSeconds(60), 64, D.ingestBudgetBytes(), D.maxConnections()));
        assertThat(D.withInflight(5, 1000))
                .isEqualTo(new GatewayLimits(D.connectDeadline(), 8192, 4096, 2048, D.maxKeepAlive(), 5, 1000, D.maxConnections()));
        assertThat(D.withMaxConnections(7).maxConnections()).isEqualTo(7);
        assertThat(D.withMaxConnections(7).withMaxConnections(D.maxConnections())).isEqualTo(D);
    }

    @Test
    void everyBoundMustBePositiveAndOneIsEnough() {
        assertThat(new GatewayLimits(Duration.ofNanos(1), 1, 1, 1, Duration.ofNanos(1), 1, 1, 1).maxInflightPerConnection()).isEqualTo(1);
        assertThatThrownBy(() -> D.withConnectDeadline(Duration.ZERO)).hasMessage("connectDeadline: must be positive, was PT0S");
        assertThatThrownBy(() -> D.withConnectDeadline(Duration.ofSeconds(-1))).hasMessage("connectDeadline: must be positive, was PT-1S");
        assertThatThrownBy(() -> D.withMaxKeepAlive(Duration.ZERO)).hasMessage("maxKeepAlive: must be positive, was PT0S");
        assertThatThrownBy(() -> D.withMaxKeepAlive(Duration.ofSeconds(-1))).hasMessage("maxKeepAlive: must be positive, was PT-1S");
        assertThatThrownBy(() -> new GatewayLimits(D.connectDeadline(), 0, 1, 1, D.maxKeepAlive(), 1, 1, 1))
                .hasMessage("maxPreConnectBytes: must be positive, was 0");
        assertThatThrownBy(() -> D.withPendingConnections(0, 1)).hasMessage("maxPendingConnections: must be positive, was 0");
        assertThatThrownBy(() -> D.withPendingConnections(1, 0)).hasMessage("maxPendingPerSource: must be positive, was 0");
        assertThatThrownBy(() -> D.withInflight(0, 1)).hasMessage("maxInflightPerConnection: must be positive, was 0");
        assertThatThrownBy(() -> D.withInflight(1, 0)).hasMessage("ingestBudgetBytes: must be positive, was 0");
        assertThatThrownBy(() -> D.withMaxConnections(0)).hasMessage("maxConnections: must be positive, was 0");
        assertThatThrownBy(() -> D.withConnectDeadline(null)).hasMessage("connectDeadline");
        assertThatThrownBy(() -> D.withMaxKeepAlive(null)).hasMessage("maxKeepAlive");
    }

    @Test
    void aLocalConfigListensOnLoopbackAndPortsAreChecked() {
        GatewayConfig local = GatewayConfig.local(GatewayFixture.ROOT, 0);
        assertThat(local.bindAddress()).isEqualTo("127.0.0.1");
        assertThat(local.hubHostNames()).containsExactly(HubHostName.of("127.0.0.1"));
        assertThat(local.idScope()).isEqualTo(IdScope.DEFAULT);
        assertThat(local.maxPayloadBytes()).isEqualTo(Messages.DEVICE_TO_CLOUD_MAX_BYTES);
        assertThat(local.dpsPort()).isEqualTo(-1);
        assertThat(local.limits()).isEqualTo(GatewayLimits.defaults());

        List<HubHostName> names = List.of(HubHostName.of("127.0.0.1"));
        assertThat(new GatewayConfig("0.0.0.0", 65535, names, IdScope.DEFAULT, GatewayFixture.ROOT, 1, 65535, D).port()).isEqualTo(65535);
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", -1, names, IdScope.DEFAULT, GatewayFixture.ROOT, 1, -1, D))
                .hasMessage("port: must be 0–65535, was -1");
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", 65536, names, IdScope.DEFAULT, GatewayFixture.ROOT, 1, -1, D))
                .hasMessage("port: must be 0–65535, was 65536");
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", 0, names, IdScope.DEFAULT, GatewayFixture.ROOT, 1, -2, D))
                .hasMessage("dpsPort: must be 0–65535, or -1 for none, was -2");
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", 0, names, IdScope.DEFAULT, GatewayFixture.ROOT, 1, 65536, D))
                .hasMessage("dpsPort: must be 0–65535, or -1 for none, was 65536");
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", 0, names, IdScope.DEFAULT, GatewayFixture.ROOT, 0, -1, D))
                .hasMessage("maxPayloadBytes: must be positive");
        assertThatThrownBy(() -> new GatewayConfig("0.0.0.0", 0, List.of(), IdScope.DEFAULT, GatewayFixture.ROOT, 1, -1, D))
                .hasMessage("hubHostNames: at least one");
    }
}
