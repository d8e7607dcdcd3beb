package io.fleetkit.backend.testing;

import io.netty.util.ResourceLeakDetector;
import io.netty.util.ResourceLeakDetectorFactory;
import org.junit.platform.launcher.LauncherSession;
import org.junit.platform.launcher.LauncherSessionListener;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Counts Netty buffer leaks in the test JVM. Installed as a JUnit launcher-session listener, so
 * it is in place before any test loads Netty; the leak detector runs at {@code paranoid} (set in
 * the parent pom). Tests call {@link #assertNoLeaks()} after forcing a collection.
 */
public final class LeakDetection implements LauncherSessionListener {
    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    @Override
    public void launcherSessionOpened(LauncherSession session) {
        ResourceLeakDetectorFactory.setResourceLeakDetectorFactory(new ResourceLeakDetectorFactory() {
            @Override
            @SuppressWarnings("deprecation")
            public <T> ResourceLeakDetector<T> newResourceLeakDetector(Class<T> resource, int samplingInterval, long maxActive) {
                return new ResourceLeakDetector<>(resource, samplingInterval) {
                    @Override
                    protected void reportTracedLeak(String type, String records) {
                        LEAKS.add(type + records);
                        super.reportTracedLeak(type, records);
                    }

                    @Override
                    protected void reportUntracedLeak(String type) {
                        LEAKS.add(type);
                        super.reportUntracedLeak(type);
                    }
                };
            }
        });
    }

    /** Collects garbage, lets the detector look, and fails if it reported any leak so far. */
    public static void assertNoLeaks() {
        for (int i = 0; i < 3; i++) {
            System.gc();
            System.runFinalization();
            // the detector reports when new buffers are tracked: allocate a few
            io.netty.buffer.ByteBuf probe = io.netty.buffer.PooledByteBufAllocator.DEFAULT.buffer(16);
            probe.release();
            io.netty.buffer.ByteBuf heap = io.netty.buffer.UnpooledByteBufAllocator.DEFAULT.buffer(16);
            heap.release();
        }
        if (!LEAKS.isEmpty()) {
            throw new AssertionError(LEAKS.size() + " Netty buffer leak(s):\n" + String.join("\n", LEAKS));
        }
    }

    /** Forgets what was reported: only for the self-test that leaks on purpose. */
    static void forget() {
        LEAKS.clear();
    }

    /** Leaks reported so far. */
    public static List<String> leaks() {
        return List.copyOf(LEAKS);
    }
}
