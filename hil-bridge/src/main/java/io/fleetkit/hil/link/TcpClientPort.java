package io.fleetkit.hil.link;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;

/** The test port of a board with Ethernet: the bridge connects to {@code host:port}. */
public final class TcpClientPort implements Port {
    private final String host;
    private final int port;

    public TcpClientPort(String host, int port) {
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: 1–65535, was " + port);
        }
        this.host = host;
        this.port = port;
    }

    /** Parses {@code host:port}. */
    public static TcpClientPort parse(String hostPort) {
        int colon = hostPort.lastIndexOf(':');
        if (colon <= 0 || colon == hostPort.length() - 1) {
            throw new IllegalArgumentException("expected host:port, e.g. 192.168.1.20:5555, was '" + hostPort + "'");
        }
        try {
            return new TcpClientPort(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("expected host:port with a numeric port, was '" + hostPort + "'");
        }
    }

    @Override
    public String describe() {
        return "tcp " + host + ":" + port;
    }

    @Override
    public Connection open() throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.connect(new InetSocketAddress(host, port), 2000);
        } catch (IOException e) {
            socket.close();
            throw new IOException("cannot connect to " + host + ":" + port + ": " + e.getMessage(), e);
        }
        return SocketConnection.of(socket);
    }

    /** A connected socket as a port connection. */
    static final class SocketConnection implements Connection {
        private final Socket socket;
        private final InputStream in;
        private final OutputStream out;

        private SocketConnection(Socket socket) throws IOException {
            this.socket = socket;
            this.in = socket.getInputStream();
            this.out = socket.getOutputStream();
        }

        static SocketConnection of(Socket socket) throws IOException {
            return new SocketConnection(socket);
        }

        @Override
        public InputStream in() {
            return in;
        }

        @Override
        public OutputStream out() {
            return out;
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
