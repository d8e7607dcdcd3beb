package io.fleetkit.hil.conform;

import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/** One device of a conformance run, seen from the bridge's side of its link: what it sent, when. */
final class DeviceEndpoint implements AutoCloseable {
    /** A frame from the device, its place among them and when it arrived (nanoTime). */
    record Observed(int index, long nanos, TestPortMessage message) {
    }

    private final String label;
    private final TestPortLink link;
    private final List<Observed> observed = new ArrayList<>(); // guarded by itself
    private final List<String> corrupt = new ArrayList<>();

    DeviceEndpoint(String label, Port port) {
        this.label = label;
        this.link = new TestPortLink(port, TestPortLink.Options.DEFAULT, new TestPortLink.Listener() {
            @Override
            public void received(TestPortMessage message) {
                synchronized (observed) {
                    observed.add(new Observed(observed.size(), System.nanoTime(), message));
                    observed.notifyAll();
                }
            }

            @Override
            public void corrupt(String reason, int bytes) {
                synchronized (observed) {
                    corrupt.add(reason);
                }
            }
        });
    }

    DeviceEndpoint start() {
        link.start();
        return this;
    }

    String label() {
        return label;
    }

    String describe() {
        return link.describe();
    }

    void send(TestPortMessage m) throws IOException {
        link.send(m);
    }

    int count() {
        synchronized (observed) {
            return observed.size();
        }
    }

    List<Observed> all() {
        synchronized (observed) {
            return List.copyOf(observed);
        }
    }

    List<String> corrupt() {
        synchronized (observed) {
            return List.copyOf(corrupt);
        }
    }

    /** The first frame from index {@code from} on that matches, waiting until {@code deadlineNanos}. */
    Optional<Observed> await(Predicate<TestPortMessage> match, int from, long deadlineNanos) throws InterruptedException {
        synchronized (observed) {
            int i = from;
            while (true) {
                for (; i < observed.size(); i++) {
                    if (match.test(observed.get(i).message())) {
                        return Optional.of(observed.get(i));
                    }
                }
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) {
                    return Optional.empty();
                }
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(observed, left);
            }
        }
    }

    @Override
    public void close() {
        link.close();
    }

    static Duration since(long startNanos, long nanos) {
        return Duration.ofNanos(nanos - startNanos);
    }
}
