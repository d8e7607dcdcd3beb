package io.fleetkit.backend.store;

import io.fleetkit.backend.hub.CloudToDeviceQueue;
import io.fleetkit.backend.hub.CloudToDeviceQueueContract;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The cloud-to-device queue contract on the store's queue, which the nodes of a cluster share (PostgreSQL, a schema per
 * test); and the limit of 50 holding when several nodes add at once.
 */
class StoreCloudToDeviceQueueIT extends CloudToDeviceQueueContract {
    private final String schema = TestDatabases.newSchemaName();
    private Database db;

    @Override
    protected CloudToDeviceQueue newQueue(CloudToDeviceQueue.Options options, Clock clock) {
        db = TestDatabases.postgres(schema);
        return new StoreCloudToDeviceQueue(db, options, clock);
    }

    @AfterEach
    void drop() {
        db.close();
        TestDatabases.dropPostgresSchema(schema);
    }

    @Test
    void fiftyAtMostEvenWhenNodesAddAtOnce() throws Exception {
        // two "nodes": two queues on the same tables, adding 40 messages each for one device at the same time
        CloudToDeviceQueue a = new StoreCloudToDeviceQueue(db, CloudToDeviceQueue.Options.iotHub(), Clock.systemUTC());
        CloudToDeviceQueue b = new StoreCloudToDeviceQueue(db, CloudToDeviceQueue.Options.iotHub(), Clock.systemUTC());
        DeviceId device = DeviceId.of("busy-1");
        AtomicInteger full = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> sends = new ArrayList<>();
        for (int i = 0; i < 80; i++) {
            CloudToDeviceQueue via = i % 2 == 0 ? a : b;
            String id = "m" + i;
            sends.add(pool.submit(() -> {
                try {
                    via.enqueue(device, id, "t", new byte[10], Duration.ofMinutes(5));
                } catch (CloudToDeviceQueue.QueueFullException e) {
                    full.incrementAndGet();
                }
            }));
        }
        for (Future<?> f : sends) {
            f.get();
        }
        pool.shutdown();
        assertThat(a.depth(device)).isEqualTo(CloudToDeviceQueue.MAX_QUEUED);
        assertThat(full.get()).isEqualTo(80 - CloudToDeviceQueue.MAX_QUEUED);
        assertThat(b.takeDeliverable(device, "conn-b")).hasSize(CloudToDeviceQueue.MAX_QUEUED);
        assertThat(a.takeDeliverable(device, "conn-a")).as("locked by b's delivery").isEmpty();
    }
}
