package io.fleetkit.junit;

import io.fleetkit.backend.Backend;
import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.registry.Authentication;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.pki.Pem;
import io.fleetkit.protocol.pki.TlsContexts;
import io.fleetkit.testing.ThrowAwayPki;

import javax.net.ssl.SSLContext;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A running local IoT Hub + DPS (and, with {@link FleetkitTest#backend()}, the backend behind it) with its throw-away PKI:
 * what a test needs to point devices — the official Azure device SDKs, fleetkit's firmware model, its own MQTT client — at
 * it, and to command them and read what the backend made of their messages.
 *
 * <p>Thread-safe. Made by {@link FleetkitExtension}; closed by it when the test class is done.
 */
public final class Fleetkit implements AutoCloseable {
    private final ThrowAwayPki pki;
    private final IdScope idScope;
    private final EmbeddedHub hub;
    private final Backend backend;

    private Fleetkit(ThrowAwayPki pki, IdScope idScope, EmbeddedHub hub, Backend backend) {
        this.pki = pki;
        this.idScope = idScope;
        this.hub = hub;
        this.backend = backend;
    }

    /** Starts a platform as {@code settings} say: a new PKI, the hub + DPS on 127.0.0.1, the backend if asked. */
    static Fleetkit start(FleetkitTest settings) {
        ThrowAwayPki pki = ThrowAwayPki.create();
        try {
            IdScope scope = IdScope.of(settings.idScope());
            if (settings.backend()) {
                Backend backend = Backend.builder(pki.directory(), pki.scratch("data"))
                        .hub(h -> h.bind("127.0.0.1").port(settings.port()).idScope(scope)).http("127.0.0.1", 0)
                        .serviceApi(settings.servicePort(), null, true).start();
                return new Fleetkit(pki, scope, backend.hub(), backend);
            }
            if (settings.servicePort() >= 0) {
                throw new IllegalArgumentException("@FleetkitTest(servicePort = " + settings.servicePort() + ") needs the backend (backend = true)");
            }
            EmbeddedHub hub = EmbeddedHub.builder(pki.directory()).bind("127.0.0.1").port(settings.port()).idScope(scope).start();
            return new Fleetkit(pki, scope, hub, null);
        } catch (RuntimeException e) {
            pki.close();
            throw e;
        }
    }

    /** The host devices dial, and DPS assigns: {@code 127.0.0.1}. */
    public String host() {
        return "127.0.0.1";
    }

    /** The port of the hub and DPS (they share it, told apart by the MQTT username, as the Azure SDKs use them). */
    public int port() {
        return hub.port();
    }

    /** The DPS id scope devices register with. */
    public String idScope() {
        return idScope.value();
    }

    /** The factory PKI: root and intermediate CA (DPS trusts devices it issued), the server certificate. */
    public ThrowAwayPki pki() {
        return pki;
    }

    /** The root CA's certificate file: the trust anchor for the hub's server certificate. */
    public Path rootCaPem() {
        return pki.directory().dir().resolve("root-ca.pem");
    }

    /**
     * A device identity issued by the factory PKI (EC P-256, CN = {@code registrationId}) and created in the hub's
     * registry, as {@code az iot hub device-identity create} would: it may register through DPS or connect to the hub
     * directly.
     */
    public DeviceIdentity device(String registrationId) {
        DeviceIdentity d = pki.device(registrationId);
        hub.registry().createIfAbsent(d.deviceId(), Authentication.X509_CA_SIGNED, Instant.now());
        return d;
    }

    /** TLS for a device: its key and certificate chain as the client's, the PKI's root as the trusted server CA. */
    public SSLContext tls(DeviceIdentity device) {
        return TlsContexts.forDevice(device, pki.directory().trustAnchors());
    }

    /**
     * The connection string the Azure device SDK's {@code DeviceClient} takes for an X.509 device of this hub
     * ({@code HostName=127.0.0.1;DeviceId=…;x509=true}); give it {@link #tls(DeviceIdentity)} in its {@code ClientOptions}.
     */
    public String connectionString(DeviceIdentity device) {
        return "HostName=" + host() + ";DeviceId=" + device.deviceId().value() + ";x509=true";
    }

    /**
     * The service connection string of the {@code iothubowner} policy, for the official service SDKs' clients
     * ({@code RegistryClient}, {@code TwinClient}, {@code DirectMethodsClient}); needs {@code @FleetkitTest(servicePort = 443)}.
     * The SDK's HTTPS must trust {@link #serviceTls()}.
     */
    public String serviceConnectionString() {
        return serviceConnectionString("iothubowner");
    }

    /** The service connection string of one of the hub's shared access policies (iothubowner, service, registryRead …). */
    public String serviceConnectionString(String policy) {
        return backend().serviceConnectionString(policy);
    }

    /** TLS that trusts this hub's server certificate, for HTTPS clients of the service API (no client certificate). */
    public SSLContext serviceTls() {
        return TlsContexts.forClient(pki.directory().trustAnchors());
    }

    /** The device certificate followed by its intermediate CA, PEM: what a device presents (for tools that read files). */
    public String certificateChainPem(DeviceIdentity device) {
        return Pem.certificates(device.credential().chain());
    }

    /** Direct methods, cloud-to-device messages, desired properties and connection state, as a backend calls them. */
    public DeviceCommands devices() {
        return hub.devices();
    }

    /** The hub itself: its registry, twins, cloud-to-device queues, throttles and counters. */
    public EmbeddedHub hub() {
        return hub;
    }

    /**
     * The backend behind the hub: streams, processors, the store, the REST API.
     *
     * @throws IllegalStateException when the class asked for {@code @FleetkitTest(backend = false)}
     */
    public Backend backend() {
        if (backend == null) {
            throw new IllegalStateException("this test class runs the hub alone: @FleetkitTest(backend = false)");
        }
        return backend;
    }

    /** The REST API's base, e.g. {@code http://127.0.0.1:41234/api/v1}. */
    public URI api() {
        return URI.create("http://127.0.0.1:" + backend().httpPort() + "/api/v1");
    }

    /** A bearer token from the backend's dev issuer for {@code user} (an operator when {@code operator}), valid an hour. */
    public String token(String user, boolean operator) {
        Objects.requireNonNull(user, "user");
        return backend().devIssuer().mint(user, operator, Duration.ofHours(1));
    }

    /** Stops the backend or hub and deletes the PKI and data. */
    @Override
    public void close() {
        try {
            if (backend != null) {
                backend.close();
            } else {
                hub.close();
            }
        } finally {
            pki.close();
        }
    }
}
