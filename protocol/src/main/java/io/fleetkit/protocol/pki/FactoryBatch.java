package io.fleetkit.protocol.pki;

import io.fleetkit.protocol.id.RegistrationId;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Issues a batch of device identities, as a factory line would: key generation and signing on
 * all cores. Each identity goes to a sink as soon as it exists (to be stored, or collected), so
 * a batch of 100,000 does not have to fit in memory at once.
 */
public final class FactoryBatch {
    /** Progress of a running batch; called from worker threads, about every 1% and at the end. */
    @FunctionalInterface
    public interface Progress {
        void issued(int done, int total);
    }

    /** The outcome of a batch. */
    public record Stats(int issued, Duration elapsed) {
        public double certificatesPerSecond() {
            double seconds = elapsed.toNanos() / 1e9;
            return seconds == 0 ? 0 : issued / seconds;
        }
    }

    private FactoryBatch() {
    }

    /**
     * Registration ids {@code prefix + number}, numbers from {@code first}, zero-padded to at
     * least 5 digits: {@code dev-00001}, {@code dev-00002}, …
     *
     * @throws IllegalArgumentException when the prefix would make an invalid registration id
     */
    public static List<RegistrationId> ids(String prefix, int first, int count) {
        if (count < 0 || first < 0) {
            throw new IllegalArgumentException("count, first: must not be negative");
        }
        int width = Math.max(5, Integer.toString(first + count - 1).length());
        List<RegistrationId> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(RegistrationId.of(prefix + String.format("%0" + width + "d", first + i)));
        }
        return ids;
    }

    /**
     * Issues one EC P-256 identity per id under {@code ca} on every core, in memory (for load runs and
     * simulators that need many identities now and no files); returned in the order of {@code ids}.
     */
    public static List<DeviceIdentity> issueAll(Credential ca, List<RegistrationId> ids) {
        Map<RegistrationId, DeviceIdentity> issued = new ConcurrentHashMap<>();
        issue(new CertificateIssuer(), ca, ids, KeyAlgorithm.EC_P256, Runtime.getRuntime().availableProcessors(),
                d -> issued.put(d.registrationId(), d), (d, t) -> { });
        return ids.stream().map(issued::get).toList();
    }

    /**
     * Issues one identity per id, signed by {@code ca}, on {@code threads} threads.
     *
     * @param sink receives each identity on a worker thread; must be thread-safe
     */
    public static Stats issue(CertificateIssuer issuer, Credential ca, List<RegistrationId> ids, KeyAlgorithm algorithm,
                              int threads, Consumer<DeviceIdentity> sink, Progress progress) {
        Objects.requireNonNull(sink, "sink");
        Objects.requireNonNull(progress, "progress");
        if (threads < 1) {
            throw new IllegalArgumentException("threads: must be at least 1, was " + threads);
        }
        long start = System.nanoTime();
        int total = ids.size();
        int step = Math.max(1, total / 100);
        AtomicInteger next = new AtomicInteger();
        AtomicInteger done = new AtomicInteger();
        OrderedProgress reporter = new OrderedProgress(progress, total);
        ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "factory-batch");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<?>> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                workers.add(pool.submit(() -> {
                    for (int i = next.getAndIncrement(); i < total; i = next.getAndIncrement()) {
                        sink.accept(issuer.issueDevice(ca, ids.get(i), algorithm));
                        int d = done.incrementAndGet();
                        if (d % step == 0 || d == total) {
                            reporter.report(d);
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("factory batch interrupted after " + done.get() + " of " + total, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("factory batch failed: " + cause.getMessage(), cause);
        } finally {
            pool.shutdownNow();
        }
        return new Stats(done.get(), Duration.ofNanos(System.nanoTime() - start));
    }

    /**
     * Passes counts on only when larger than the last one passed on. Check and call are one step
     * under the lock: a worker that counted 37 but runs after the one that counted 40 must not
     * report 37 last. About 100 reports per batch, so the lock costs nothing.
     */
    private static final class OrderedProgress {
        private final Progress progress;
        private final int total;
        private int last = -1;

        OrderedProgress(Progress progress, int total) {
            this.progress = progress;
            this.total = total;
        }

        synchronized void report(int done) {
            if (done > last) {
                last = done;
                progress.issued(done, total);
            }
        }
    }

    /** Issues and stores into {@code pki}'s devices directory. */
    public static Stats issueInto(PkiDirectory pki, CertificateIssuer issuer, List<RegistrationId> ids, KeyAlgorithm algorithm,
                                  int threads, Progress progress) {
        return issue(issuer, pki.intermediate(), ids, algorithm, threads, pki::store, progress);
    }

    /**
     * The identities {@code prefix}{@code first} … of a batch of {@code count}, as a swarm takes them from the factory: those
     * missing from {@code pki} are issued into it first (EC P-256, on every core; {@code issuing} told as they go, and not at
     * all when nothing is missing), then all are loaded ({@code loading} told after each).
     *
     * @return the identities in order
     */
    public static List<DeviceIdentity> loadOrIssue(PkiDirectory pki, String prefix, int first, int count, Progress issuing,
                                                   Progress loading) {
        List<RegistrationId> wanted = ids(prefix, first, count);
        java.util.Set<RegistrationId> existing = new java.util.HashSet<>(pki.deviceIds());
        List<RegistrationId> missing = wanted.stream().filter(id -> !existing.contains(id)).toList();
        if (!missing.isEmpty()) {
            issueInto(pki, new CertificateIssuer(), missing, KeyAlgorithm.EC_P256, Runtime.getRuntime().availableProcessors(), issuing);
        }
        List<DeviceIdentity> out = new java.util.ArrayList<>(count);
        for (RegistrationId id : wanted) {
            out.add(pki.loadDevice(id));
            loading.issued(out.size(), count);
        }
        return out;
    }
}
