package io.fleetkit.hil.link;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** The device's end of a TCP test port: listens, and each {@link #open} waits for the bridge to connect. */
public final class TcpServerPort implements Port {
    private final ServerSocket server;

    /** Listens on 127.0.0.1:{@code port} (0 for a free one). */
    public TcpServerPort(int port) throws IOException {
        this.server = new ServerSocket(port, 1, InetAddress.getLoopbackAddress());
    }

    public int port() {
        return server.getLocalPort();
    }

    @Override
    public String describe() {
        return "tcp listening on 127.0.0.1:" + port();
    }

    @Override
    public Connection open() throws IOException {
        Socket s = server.accept();
        s.setTcpNoDelay(true);
        return TcpClientPort.SocketConnection.of(s);
    }

    @Override
    public void shutdown() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing a listening socket: nothing to report
        }
    }
}
