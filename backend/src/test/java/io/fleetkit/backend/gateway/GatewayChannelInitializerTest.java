package io.fleetkit.backend.gateway;

import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.Credential;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandler;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class GatewayChannelInitializerTest {

    @Test
    void buildsThePipelineInOrderWithTheErrorHandlerLast() {
        GatewayFixture f = new GatewayFixture();
        CertificateIssuer issuer = GatewayFixture.ISSUER;
        Credential server = issuer.issueServer(GatewayFixture.INTERMEDIATE, "localhost", List.of("127.0.0.1", "localhost"));
        EmbeddedChannel ch = new EmbeddedChannel(new GatewayChannelInitializer(ServerTls.context(server), f.context));
        assertThat(ch.pipeline().names()).containsSubsequence("tls", PreConnectGuard.NAME, "mqtt-decoder",
                "mqtt-encoder", "connect", "errors");
        assertThat(ch.pipeline().first()).isInstanceOf(SslHandler.class);
        assertThat(((SslHandler) ch.pipeline().first()).engine().getNeedClientAuth()).as("client certificate required").isTrue();
        assertThat(ch.pipeline().last()).isSameAs(GatewayExceptionHandler.INSTANCE);
        ch.finishAndReleaseAll();
    }
}
