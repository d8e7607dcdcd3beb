package io.fleetkit.hil.link;

import io.fleetkit.hil.record.FrameRecorder;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.testport.Frame;
import io.fleetkit.protocol.testport.FrameDecoder;
import io.fleetkit.protocol.testport.TestPortCodec;
import io.fleetkit.protocol.testport.TestPortMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Frames over a {@link Port}: a reader thread that opens the port (again and again, until closed),
 * splits what arrives into frames, counts and skips corrupt ones, answers pings, and hands every
 * other message to the {@link Listener}. With a ping interval it pings the far end and declares the
 * link dead when nothing has arrived for the ping timeout — then it closes the port and opens it
 * again, so a device that was unplugged and plugged back in is found.
 */
public final class TestPortLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TestPortLink.class);
    private static final String FAR_END_CLOSED = "the far end closed the port";

    /** What happens on the link; called on the link's reader thread (pings: on its timer). */
    public interface Listener {
        void received(TestPortMessage message);

        /** A block that was not a valid frame (noise, a truncated frame, a CRC error, a payload of the wrong shape). */
        default void corrupt(String reason, int bytes) {
        }

        default void up(String port) {
        }

        default void down(String reason) {
        }
    }

    /**
     * @param pingInterval how often to ping the far end, or {@link Duration#ZERO} not to
     * @param pingTimeout  the link is dead when nothing arrived for this long
     * @param retryDelay   between attempts to open the port
     */
    public record Options(Duration pingInterval, Duration pingTimeout, Duration retryDelay) {
        public static final Options DEFAULT = new Options(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofMillis(500));
        /** The device's side: answers pings, sends none. */
        public static final Options PASSIVE = new Options(Duration.ZERO, Duration.ZERO, Duration.ofMillis(200));
    }

    /** Counters since start. */
    public record Stats(long framesIn, long framesOut, long corrupt, long corruptBytes, long opened, long deadLinks) {
    }

    private final Port port;
    private final Options options;
    private final Listener listener;
    private final Thread reader;
    private final ScheduledExecutorService pinger;
    private final AtomicLong framesIn = new AtomicLong();
    private final AtomicLong framesOut = new AtomicLong();
    private final AtomicLong corrupt = new AtomicLong();
    private final AtomicLong corruptBytes = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong deadLinks = new AtomicLong();
    private final AtomicLong pingSeq = new AtomicLong();
    private volatile Port.Connection connection;
    private volatile long lastReceivedNanos;
    private volatile String deathReason;
    private volatile boolean closed;
    private volatile FrameRecorder recorder;
    private final FrameRecorder.From far;

    public TestPortLink(Port port, Options options, Listener listener) {
        this.port = Objects.requireNonNull(port, "port");
        this.options = Objects.requireNonNull(options, "options");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.far = options.pingInterval().isZero() ? FrameRecorder.From.BRIDGE : FrameRecorder.From.DEVICE;
        this.reader = new Thread(this::run, "test-port " + port.describe());
        this.reader.setDaemon(true);
        this.pinger = options.pingInterval().isZero() ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "test-port-ping");
            t.setDaemon(true);
            return t;
        });
    }

    public TestPortLink start() {
        reader.start();
        if (pinger != null) {
            long every = options.pingInterval().toMillis();
            pinger.scheduleAtFixedRate(this::ping, every, every, TimeUnit.MILLISECONDS);
        }
        return this;
    }

    /**
     * Records every frame from now on, both ways. The far end is the device for a link that
     * pings (the bridge's), the bridge for a passive one (the device's).
     */
    public TestPortLink record(FrameRecorder recorder) {
        this.recorder = recorder;
        return this;
    }

    public String describe() {
        return port.describe();
    }

    public boolean isUp() {
        return connection != null;
    }

    public Stats stats() {
        return new Stats(framesIn.get(), framesOut.get(), corrupt.get(), corruptBytes.get(), opened.get(), deadLinks.get());
    }

    /** Sends one message. @throws IOException when the link is down or the write fails */
    public void send(TestPortMessage message) throws IOException {
        Frame f = TestPortCodec.toFrame(message);
        byte[] frame = f.encode();
        Port.Connection c = connection;
        if (c == null) {
            throw new IOException("the test port (" + port.describe() + ") is down");
        }
        OutputStream out = c.out();
        synchronized (this) {
            out.write(frame);
            out.flush();
        }
        framesOut.incrementAndGet();
        FrameRecorder r = recorder;
        if (r != null) {
            r.frame(far == FrameRecorder.From.DEVICE ? FrameRecorder.From.BRIDGE : FrameRecorder.From.DEVICE, f);
        }
    }

    /** Writes raw bytes (tests inject noise with it). @throws IOException when the link is down */
    public void sendRaw(byte[] bytes) throws IOException {
        Port.Connection c = connection;
        if (c == null) {
            throw new IOException("the test port (" + port.describe() + ") is down");
        }
        synchronized (this) {
            c.out().write(bytes);
            c.out().flush();
        }
    }

    private void run() {
        String lastWaitReason = null;
        byte[] buffer = new byte[8192];
        while (!closed) {
            Port.Connection c;
            try {
                c = port.open();
            } catch (IOException e) {
                if (closed) {
                    return;
                }
                if (!e.getMessage().equals(lastWaitReason)) {
                    LOG.info("waiting for the test port: {}", e.getMessage());
                    lastWaitReason = e.getMessage();
                }
                sleep(options.retryDelay());
                continue;
            }
            lastWaitReason = null;
            FrameDecoder decoder = new FrameDecoder();
            deathReason = null;
            lastReceivedNanos = System.nanoTime();
            connection = c;
            opened.incrementAndGet();
            listener.up(port.describe());
            String reason = "closed";
            try {
                while (!closed) {
                    int n = c.in().read(buffer, 0, buffer.length);
                    if (n < 0) {
                        reason = FAR_END_CLOSED;
                        break;
                    }
                    decoder.feed(buffer, 0, n, this::block);
                }
            } catch (IOException e) {
                reason = e.getMessage();
            } finally {
                connection = null;
                try {
                    c.close();
                } catch (IOException ignored) {
                    // already gone
                }
            }
            if (!closed) {
                String why = deathReason != null ? deathReason : reason;
                if (why.equals(FAR_END_CLOSED)) {
                    LOG.info("test port {} down: {}", port.describe(), why); // the other side went away in an orderly way
                } else {
                    LOG.warn("test port {} down: {}", port.describe(), why);
                }
                listener.down(why);
                sleep(options.retryDelay());
            }
        }
    }

    private void block(FrameDecoder.Result r) {
        lastReceivedNanos = System.nanoTime();
        if (r instanceof FrameDecoder.Result.Corrupt bad) {
            corrupt(bad.reason(), bad.length(), true);
            return;
        }
        Frame frame = ((FrameDecoder.Result.Ok) r).frame();
        FrameRecorder rec = recorder;
        if (rec != null) {
            rec.frame(far, frame);
        }
        TestPortMessage m;
        try {
            m = TestPortCodec.fromFrame(frame);
        } catch (ProtocolException e) {
            corrupt(e.getMessage(), frame.payload().length, false); // the frame itself is in the recording
            return;
        }
        framesIn.incrementAndGet();
        if (m instanceof TestPortMessage.Ping p) {
            if (!p.reply()) {
                try {
                    send(new TestPortMessage.Ping(p.seq(), true));
                } catch (IOException e) {
                    LOG.debug("ping answer not sent: {}", e.toString());
                }
            }
            return;
        }
        listener.received(m);
    }

    private void corrupt(String reason, int bytes, boolean record) {
        FrameRecorder rec = recorder;
        if (rec != null && record) {
            rec.corrupt(far, reason, bytes);
        }
        corrupt.incrementAndGet();
        corruptBytes.addAndGet(bytes);
        LOG.debug("test port {}: corrupt frame skipped: {}", port.describe(), reason);
        listener.corrupt(reason, bytes);
    }

    private void ping() {
        Port.Connection c = connection;
        if (c == null) {
            return;
        }
        long silentNanos = System.nanoTime() - lastReceivedNanos;
        if (silentNanos > options.pingTimeout().toNanos()) {
            deadLinks.incrementAndGet();
            deathReason = "no answer to pings for " + options.pingTimeout().toMillis() + " ms";
            try {
                c.close(); // the reader's read fails; it reports the link down and opens the port again
            } catch (IOException ignored) {
                // closing a dead port
            }
            return;
        }
        try {
            send(new TestPortMessage.Ping(pingSeq.incrementAndGet(), false));
        } catch (IOException e) {
            LOG.debug("ping not sent: {}", e.toString());
        }
    }

    private void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            closed = true;
        }
    }

    @Override
    public void close() {
        closed = true;
        if (pinger != null) {
            pinger.shutdownNow();
        }
        port.shutdown();
        Port.Connection c = connection;
        if (c != null) {
            try {
                c.close();
            } catch (IOException ignored) {
                // closing
            }
        }
        reader.interrupt();
        try {
            reader.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
