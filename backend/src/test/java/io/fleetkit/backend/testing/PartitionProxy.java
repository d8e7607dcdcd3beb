package io.fleetkit.backend.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A TCP relay between devices and a server on 127.0.0.1 that can cut the network the way a field does: {@link #blackHole}
 * stops carrying bytes either way while both ends keep their connections (nothing is closed, nothing arrives), {@link #cut}
 * drops every connection and refuses new ones until {@link #heal}. A thread per direction per connection: for a handful of
 * devices.
 */
public final class PartitionProxy implements AutoCloseable {
    private final ServerSocket listener;
    private final int upstreamPort;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final Object gate = new Object();
    private volatile boolean carrying = true;
    private volatile boolean refusing;

    public PartitionProxy(int upstreamPort) throws IOException {
        this.upstreamPort = upstreamPort;
        this.listener = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        Thread accept = new Thread(this::accept, "partition-proxy-accept");
        accept.setDaemon(true);
        accept.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    /** Bytes stop flowing; connections stay open. */
    public void blackHole() {
        carrying = false;
    }

    /** Every connection is dropped; new ones are closed as soon as they are accepted. */
    public void cut() {
        refusing = true;
        sockets.forEach(PartitionProxy::closeQuietly);
        sockets.clear();
    }

    /** The network is back. */
    public void heal() {
        refusing = false;
        synchronized (gate) {
            carrying = true;
            gate.notifyAll();
        }
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket device = listener.accept();
                if (refusing) {
                    closeQuietly(device);
                    continue;
                }
                Socket server = new Socket(InetAddress.getByName("127.0.0.1"), upstreamPort);
                sockets.add(device);
                sockets.add(server);
                pump(device, server);
                pump(server, device);
            } catch (IOException e) {
                // closed, or the server is not there: the device sees its connection fail
            }
        }
    }

    private void pump(Socket from, Socket to) {
        Thread t = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    synchronized (gate) {
                        while (!carrying) {
                            gate.wait(); // held, not delivered: the sender's TCP window fills as in a partition
                        }
                    }
                    out.write(buffer, 0, n);
                    out.flush();
                }
            } catch (IOException | InterruptedException e) {
                // one side closed or was cut
            } finally {
                closeQuietly(from);
                closeQuietly(to);
            }
        }, "partition-proxy-pump");
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        listener.close();
        cut();
        heal();
    }
}
