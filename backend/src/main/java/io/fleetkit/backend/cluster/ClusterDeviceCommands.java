package io.fleetkit.backend.cluster;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fleetkit.backend.gateway.MqttDeviceCommands;
import io.fleetkit.backend.hub.ConnectionListener;
import io.fleetkit.backend.hub.DeviceCommands;
import io.fleetkit.backend.hub.MethodResult;
import io.fleetkit.backend.hub.Twins;
import io.fleetkit.backend.store.ClusterStore;
import io.fleetkit.protocol.FleetkitException;
import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.pki.Certificates;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The device-command port of a hub cluster. A device connected to this process is served here, by the gateway's own
 * implementation; any other device's command goes to the node that holds its connection (looked up in the store's device →
 * node map) over that node's command endpoint — one HTTPS round trip on a kept-alive connection. A device no live node holds
 * is not online (404). Twins and the cloud-to-device queue are the store's, so a desired patch or a queued message is kept
 * wherever the device is, and its node is only told to send it now. Lookups run on a small pool with a bounded queue, never
 * on the caller's thread (the API's event loop); over that bound a command fails as throttled.
 */
public final class ClusterDeviceCommands implements DeviceCommands, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterDeviceCommands.class);
    static final int MAX_WAITING = 1000;

    private final MqttDeviceCommands local;
    private final ClusterNode node;
    private final ThreadPoolExecutor lookups;
    /**
     * Where devices were found connected a moment ago: a burst of commands costs one lookup per device, not one per command. A
     * device that moved meanwhile is found again — its old node answers "not here" and the store is asked once more; one that
     * was not connected is never remembered as such.
     */
    private final HolderCache holders = new HolderCache(Duration.ofSeconds(5), 100_000);

    public ClusterDeviceCommands(MqttDeviceCommands local, ClusterNode node) {
        this.local = Objects.requireNonNull(local, "local");
        this.node = Objects.requireNonNull(node, "node");
        this.lookups = new ThreadPoolExecutor(4, 4, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(MAX_WAITING), r -> {
            Thread t = new Thread(r, "fleetkit-cluster-commands");
            t.setDaemon(true);
            return t;
        });
    }

    @Override
    public CompletableFuture<MethodResult> invokeMethod(DeviceId deviceId, MethodName method, byte[] payload, Duration timeout) {
        DeviceCommands.checkMethodCall(method, payload, timeout);
        if (local.isConnected(deviceId)) {
            return local.invokeMethod(deviceId, method, payload, timeout);
        }
        Optional<ClusterStore.Holder> known = holders.get(deviceId);
        CompletableFuture<Optional<ClusterStore.Holder>> holder = known != null ? CompletableFuture.completedFuture(known)
                : lookup(() -> remoteHolder(deviceId));
        return holder.thenCompose(h -> forward(h, deviceId, method, payload, timeout)).thenCompose(result -> {
            if (!result.isNotOnline() || known == null) {
                return CompletableFuture.completedFuture(result);
            }
            // the node the cache named no longer holds the device: it may have moved; look once more in the store
            holders.forget(deviceId);
            return lookup(() -> remoteHolder(deviceId)).thenCompose(h -> sameConnection(h, known) ? CompletableFuture.completedFuture(result)
                    : forward(h, deviceId, method, payload, timeout));
        });
    }

    private static boolean sameConnection(Optional<ClusterStore.Holder> a, Optional<ClusterStore.Holder> b) {
        return a.map(ClusterStore.Holder::connectionId).equals(b.map(ClusterStore.Holder::connectionId));
    }

    private CompletableFuture<MethodResult> forward(Optional<ClusterStore.Holder> holder, DeviceId deviceId, MethodName method, byte[] payload,
                                                    Duration timeout) {
        return holder.map(h -> node.client().invokeMethod(h.address(), deviceId, method, payload, timeout).exceptionally(e -> {
                    LOG.warn("method '{}' for {}: node {} at {} did not answer: {}", method.value(), deviceId, h.nodeId(), h.address(), e.getMessage());
                    holders.forget(deviceId);
                    return MethodResult.notOnline(deviceId.value());
                }))
                .orElseGet(() -> CompletableFuture.completedFuture(MethodResult.notOnline(deviceId.value())));
    }

    @Override
    public CompletableFuture<String> sendCloudToDevice(DeviceId deviceId, byte[] payload, Map<String, String> properties, Duration ttl) {
        return lookup(() -> local.sendCloudToDevice(deviceId, payload, properties, ttl).join()).thenApply(messageId -> {
            if (!local.isConnected(deviceId)) {
                remoteHolder(deviceId).ifPresent(h -> notice("cloud-to-device message for " + deviceId, h,
                        node.client().cloudToDeviceQueued(h.address(), deviceId)));
            }
            return messageId;
        });
    }

    @Override
    public CompletableFuture<Long> updateDesired(DeviceId deviceId, ObjectNode patch) {
        return lookup(() -> {
            long version = local.updateDesired(deviceId, patch).join();
            if (!local.isConnected(deviceId)) {
                remoteHolder(deviceId).ifPresent(h -> notice("desired patch " + version + " for " + deviceId, h,
                        node.client().desired(h.address(), deviceId, patch, version)));
            }
            return version;
        });
    }

    @Override
    public CompletableFuture<Twins.Snapshot> patchTwin(DeviceId deviceId, ObjectNode tags, ObjectNode desired, String ifEtag) {
        return lookup(() -> {
            Twins.Snapshot after = local.patchTwin(deviceId, tags, desired, ifEtag).join();
            if (desired != null && !local.isConnected(deviceId)) {
                remoteHolder(deviceId).ifPresent(h -> notice("desired patch " + after.desiredVersion() + " for " + deviceId, h,
                        node.client().desired(h.address(), deviceId, desired, after.desiredVersion())));
            }
            return after;
        });
    }

    @Override
    public void removed(DeviceId deviceId) {
        local.removed(deviceId); // the twin and the queue are the store's, shared
        disconnect(deviceId, "removed from the registry").join();
    }

    @Override
    public int queuedCloudToDevice(DeviceId deviceId) {
        return local.queuedCloudToDevice(deviceId);
    }

    @Override
    public CompletableFuture<Boolean> disconnect(DeviceId deviceId, String reason) {
        if (local.isConnected(deviceId)) {
            return local.disconnect(deviceId, reason);
        }
        return lookup(() -> remoteHolder(deviceId)).thenCompose(h -> h
                .map(holder -> node.client().disconnect(holder.address(), deviceId, reason))
                .orElseGet(() -> CompletableFuture.completedFuture(false)));
    }

    @Override
    public Twins.Snapshot twin(DeviceId deviceId) {
        return local.twin(deviceId);
    }

    @Override
    public boolean isConnected(DeviceId deviceId) {
        if (local.isConnected(deviceId)) {
            return true;
        }
        Optional<ClusterStore.Holder> known = holders.get(deviceId);
        return known != null ? known.isPresent() : remoteHolder(deviceId).isPresent();
    }

    /** Devices connected to any live node, as the node last counted them (with its heartbeat): no query on the caller's thread. */
    @Override
    public int connectedCount() {
        return node.connectedCount();
    }

    @Override
    public Optional<X509Certificate> certificate(DeviceId deviceId) {
        Optional<X509Certificate> here = local.certificate(deviceId);
        if (here.isPresent()) {
            return here;
        }
        return remoteHolder(deviceId).filter(h -> h.certificate() != null).map(h -> Certificates.fromDer(h.certificate()));
    }

    /** Connections to and from this process (the lifecycle events of its gateway, and of dead nodes it swept). */
    @Override
    public void addConnectionListener(ConnectionListener listener) {
        local.addConnectionListener(listener);
    }

    /** A node told of something it sends on: a failure is logged (what waits in the store goes with the device's next GET or connection). */
    private static void notice(String what, ClusterStore.Holder holder, CompletableFuture<Boolean> told) {
        told.whenComplete((sent, e) -> {
            if (e != null) {
                LOG.warn("{}: node {} at {} could not be told: {}", what, holder.nodeId(), holder.address(), e.toString());
            } else if (!sent) {
                LOG.debug("{}: node {} did not send it (the device is not listening there now)", what, holder.nodeId());
            }
        });
    }

    /** The holder of the device's connection when it is another live node (looked up in the store, and remembered a moment). */
    private Optional<ClusterStore.Holder> remoteHolder(DeviceId deviceId) {
        Optional<ClusterStore.Holder> h = node.store().holder(deviceId).filter(x -> x.nodeId() != node.nodeId());
        if (h.isPresent()) {
            holders.put(deviceId, h); // only where it is: a device that was not connected a moment ago may be now
        } else {
            holders.forget(deviceId);
        }
        return h;
    }

    private <T> CompletableFuture<T> lookup(Supplier<T> work) {
        try {
            return CompletableFuture.supplyAsync(work, lookups);
        } catch (RejectedExecutionException full) {
            return CompletableFuture.failedFuture(new FleetkitException(FleetkitException.Kind.THROTTLED,
                    "more than " + MAX_WAITING + " commands are waiting for the cluster's store; try again"));
        }
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }

    /** A bounded map of recent lookups, each good for {@code ttl}; past {@code max} entries it starts afresh. */
    static final class HolderCache {
        private record Entry(Optional<ClusterStore.Holder> holder, long expires) {
        }

        private final long ttlNanos;
        private final int max;
        private final java.util.concurrent.ConcurrentHashMap<DeviceId, Entry> entries = new java.util.concurrent.ConcurrentHashMap<>();

        HolderCache(Duration ttl, int max) {
            this.ttlNanos = ttl.toNanos();
            this.max = max;
        }

        /** The holder found within the ttl, or null when none is known. */
        Optional<ClusterStore.Holder> get(DeviceId id) {
            Entry e = entries.get(id);
            if (e == null || System.nanoTime() - e.expires() > 0) {
                return null;
            }
            return e.holder();
        }

        void put(DeviceId id, Optional<ClusterStore.Holder> holder) {
            if (entries.size() >= max) {
                entries.clear();
            }
            entries.put(id, new Entry(holder, System.nanoTime() + ttlNanos));
        }

        void forget(DeviceId id) {
            entries.remove(id);
        }
    }
}
