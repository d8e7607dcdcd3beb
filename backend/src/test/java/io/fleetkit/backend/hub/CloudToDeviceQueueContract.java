package io.fleetkit.backend.hub;

import io.fleetkit.backend.testing.MutableClock;
import io.fleetkit.protocol.id.DeviceId;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The cloud-to-device queue's behaviour, IoT Hub's: run on the in-memory queue of one process ({@code InMemoryCloudToDeviceQueueTest}) and on
 * the store's that a cluster shares ({@code store.StoreCloudToDeviceQueueIT}).
 */
public abstract class CloudToDeviceQueueContract {
    protected final MutableClock clock = new MutableClock();
    private CloudToDeviceQueue q;

    /** A new, empty queue with these options and clock. */
    protected abstract CloudToDeviceQueue newQueue(CloudToDeviceQueue.Options options, java.time.Clock clock);

    @org.junit.jupiter.api.BeforeEach
    void newQueue() {
        q = newQueue(new CloudToDeviceQueue.Options(Duration.ofMinutes(1), 3, Duration.ofHours(1)), clock);
    }

    final DeviceId dev = DeviceId.of("dev-1");
    static final String CONNECTION = "connection-1";

    void send(String id) {
        q.enqueue(dev, id, "devices/dev-1/messages/devicebound/%24.mid=" + id, id.getBytes(), null);
    }

    @Test
    public void deliveredMessagesAreLockedUntilCompletedOrTheLockTimesOut() {
        send("a");
        send("b");
        assertThat(q.takeDeliverable(dev, CONNECTION)).extracting(CloudToDeviceQueue.Delivery::messageId).containsExactly("a", "b");
        assertThat(q.takeDeliverable(dev, CONNECTION)).as("locked: not delivered twice at once").isEmpty();
        assertThat(q.complete(dev, "a")).isTrue();
        assertThat(q.complete(dev, "a")).as("completed once").isFalse();
        clock.advance(Duration.ofSeconds(61));
        var again = q.takeDeliverable(dev, CONNECTION);
        assertThat(again).extracting(CloudToDeviceQueue.Delivery::messageId).as("b's lock timed out; a is gone").containsExactly("b");
        assertThat(again.get(0).deliveryCount()).isEqualTo(2);
        assertThat(q.completed()).isEqualTo(1);
    }

    @Test
    public void aDroppedConnectionUnlocksAtOnce() {
        send("a");
        q.takeDeliverable(dev, CONNECTION);
        q.unlock(dev, CONNECTION);
        assertThat(q.takeDeliverable(dev, CONNECTION)).extracting(CloudToDeviceQueue.Delivery::deliveryCount).containsExactly(2);
    }

    @Test
    public void theEndOfAnOlderConnectionFreesOnlyWhatWasDeliveredOnIt() {
        send("a");
        q.takeDeliverable(dev, CONNECTION);
        String newer = "connection-2";
        send("b");
        assertThat(q.takeDeliverable(dev, newer)).extracting(CloudToDeviceQueue.Delivery::messageId).containsExactly("b");
        q.unlock(dev, CONNECTION); // the older connection closes after the newer one took over
        assertThat(q.takeDeliverable(dev, newer)).extracting(CloudToDeviceQueue.Delivery::messageId)
                .as("a goes again; b, held by the newer connection, does not").containsExactly("a");
    }

    @Test
    public void pastTheMaximumDeliveryCountAMessageIsDeadLettered() {
        send("a");
        for (int i = 1; i <= 3; i++) {
            assertThat(q.takeDeliverable(dev, CONNECTION)).extracting(CloudToDeviceQueue.Delivery::deliveryCount).containsExactly(i);
            q.unlock(dev, CONNECTION);
        }
        assertThat(q.takeDeliverable(dev, CONNECTION)).isEmpty();
        assertThat(q.deadLettered()).isEqualTo(1);
        assertThat(q.depth(dev)).isZero();
    }

    @Test
    public void expiredMessagesAreNeverDelivered() {
        q.enqueue(dev, "short", "t", new byte[0], Duration.ofSeconds(10));
        send("long");
        clock.advance(Duration.ofSeconds(11));
        assertThat(q.takeDeliverable(dev, CONNECTION)).extracting(CloudToDeviceQueue.Delivery::messageId).containsExactly("long");
        assertThat(q.expired()).isEqualTo(1);
    }

    @Test
    public void fiftyAtMostOf64KbEachAndTtlWithinTwoDays() {
        for (int i = 0; i < CloudToDeviceQueue.MAX_QUEUED; i++) {
            send("m" + i);
        }
        assertThatThrownBy(() -> send("one-more")).isInstanceOf(CloudToDeviceQueue.QueueFullException.class)
                .hasMessageContaining("DeviceMaximumQueueDepthExceeded");
        assertThatThrownBy(() -> q.enqueue(DeviceId.of("dev-2"), "big", "t", new byte[64 * 1024 + 1], null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("65536");
        assertThatThrownBy(() -> q.enqueue(DeviceId.of("dev-2"), "old", "t", new byte[0], Duration.ofDays(3)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("ttl");
        clock.advance(Duration.ofHours(2));
        send("after-expiry"); // the 50 expired: room again
        assertThat(q.depth(dev)).isEqualTo(1);
    }
}
