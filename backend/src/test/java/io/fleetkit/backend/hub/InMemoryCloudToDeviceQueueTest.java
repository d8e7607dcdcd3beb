package io.fleetkit.backend.hub;

import java.time.Clock;

/** The queue contract on one process's in-memory queue. */
class InMemoryCloudToDeviceQueueTest extends CloudToDeviceQueueContract {
    @Override
    protected CloudToDeviceQueue newQueue(CloudToDeviceQueue.Options options, Clock clock) {
        return CloudToDeviceQueue.inMemory(options, clock);
    }
}
