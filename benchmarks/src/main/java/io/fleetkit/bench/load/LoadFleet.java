package io.fleetkit.bench.load;

import io.fleetkit.firmware.netty.LoadDevice;
import io.fleetkit.firmware.netty.SwarmTls;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.message.DeviceMessageCodec;
import io.fleetkit.protocol.message.Reading;
import io.fleetkit.protocol.message.Telemetry;
import io.fleetkit.protocol.mqtt.HubUsername;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

import java.net.InetSocketAddress;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * The load generator of {@code fleetkit bench}: the swarm's Netty transport and TLS (one client
 * certificate per device, OpenSSL) reduced to {@link LoadDevice}s, the same for the fleetkit hub and
 * its peers. Devices connect with a closed-loop window of handshakes in flight and publish the
 * same telemetry to the same topics on every system.
 */
final class LoadFleet implements AutoCloseable {
    /** Connections per source address and server port stay well below the ~28,000 a port pair allows. */
    private static final int CONNECTIONS_PER_SOURCE = 20_000;

    private final List<DeviceIdentity> identities;
    private final SwarmTls tls;
    private final EventLoopGroup loops;
    private final AtomicLong seq = new AtomicLong();

    LoadFleet(List<DeviceIdentity> identities, Collection<X509Certificate> trust, int threads) {
        this.identities = identities;
        this.tls = new SwarmTls(trust);
        identities.forEach(tls::register);
        this.loops = new MultiThreadIoEventLoopGroup(threads, NioIoHandler.newFactory());
    }

    /** What a connect storm did: the devices that got in, how long it took, and why the others did not. */
    record Connected(List<LoadDevice> devices, double seconds, int failed, String firstFailure) {
        double perSecond() {
            return devices.size() / seconds;
        }
    }

    /** Connects the first {@code count} devices to 127.0.0.1:{@code port}, at most {@code window} in flight. */
    Connected connect(int port, int count, int window, LoadDevice.Listener listener) throws InterruptedException {
        Semaphore inFlight = new Semaphore(window);
        AtomicReference<String> firstFailure = new AtomicReference<>();
        List<CompletableFuture<LoadDevice>> all = new ArrayList<>(count);
        long start = System.nanoTime();
        for (int i = 0; i < count; i++) {
            inFlight.acquire();
            DeviceIdentity d = identities.get(i);
            String id = d.deviceId().value();
            String username = HubUsername.of(HubHostName.of("127.0.0.1"), d.deviceId(), "fleetkit-bench").format();
            InetSocketAddress source = count <= CONNECTIONS_PER_SOURCE ? null : new InetSocketAddress("127.0.0." + (2 + i / CONNECTIONS_PER_SOURCE), 0);
            CompletableFuture<LoadDevice> f = LoadDevice.connect(loops.next(), tls, "127.0.0.1", port, source, id, username,
                    "devices/" + id + "/messages/events/type=telemetry", listener);
            f.whenComplete((device, e) -> {
                inFlight.release();
                if (e != null) {
                    firstFailure.compareAndSet(null, id + ": " + e);
                }
            });
            all.add(f);
        }
        List<LoadDevice> connected = new ArrayList<>(count);
        int failed = 0;
        for (CompletableFuture<LoadDevice> f : all) {
            try {
                connected.add(f.get(60, TimeUnit.SECONDS));
            } catch (Exception e) {
                failed++;
            }
        }
        return new Connected(connected, (System.nanoTime() - start) / 1e9, failed, firstFailure.get());
    }

    /**
     * Every device keeps {@code window} QoS 1 messages unacknowledged for {@code duration}; returns the
     * messages acknowledged in that time (the tail still in flight when it ends is drained, not counted).
     */
    long closedLoop(List<LoadDevice> devices, int window, Duration duration, AtomicLong acknowledged) throws InterruptedException {
        long before = acknowledged.get();
        devices.forEach(d -> d.publishClosedLoop(window, this::telemetry));
        Thread.sleep(duration.toMillis());
        long counted = acknowledged.get() - before;
        List<CompletableFuture<Void>> drained = devices.stream().map(LoadDevice::stop).toList();
        CompletableFuture.allOf(drained.toArray(new CompletableFuture<?>[0])).orTimeout(60, TimeUnit.SECONDS).exceptionally(e -> null).join();
        return counted;
    }

    /** Publishes at {@code perSecond} in total, round robin over the devices (an open loop), for {@code duration}; returns the count. */
    long openLoop(List<LoadDevice> devices, double perSecond, Duration duration) {
        long period = Math.max(1, (long) (1e9 / perSecond));
        long start = System.nanoTime();
        long sent = 0;
        for (long next = start; next < start + duration.toNanos(); next += period) {
            LockSupport.parkNanos(next - System.nanoTime());
            devices.get((int) (sent % devices.size())).publishOne(telemetry());
            sent++;
        }
        return sent;
    }

    /** The message every system receives: one thermostat reading plus the publish time for latency. */
    byte[] telemetry() {
        long n = seq.incrementAndGet();
        return DeviceMessageCodec.CODEC.toJson(new Telemetry(n, Instant.now(), Map.of(
                "temperature", Reading.of(20 + n % 10), "humidity", Reading.of(40 + n % 7),
                HubBenchServer.SENT_MICROS, Reading.of(System.nanoTime() / 1000))));
    }

    static void closeAll(List<LoadDevice> devices) {
        devices.forEach(LoadDevice::close);
    }

    @Override
    public void close() {
        loops.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
