package io.fleetkit.hil.link;

import com.fazecast.jSerialComm.SerialPort;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * A serial line with jSerialComm: a USB adapter ({@code /dev/ttyUSB0}) or a pseudo-terminal
 * ({@code /dev/pts/3}, or a link to one), 8N1 at the given baud rate, no flow control.
 */
public final class SerialLine implements Port {
    private final String path;
    private final int baud;

    public SerialLine(String path, int baud) {
        this.path = Objects.requireNonNull(path, "path");
        if (baud < 300 || baud > 4_000_000) {
            throw new IllegalArgumentException("baud rate: 300–4000000, was " + baud);
        }
        this.baud = baud;
    }

    @Override
    public String describe() {
        return "serial " + path + " " + baud + " 8N1";
    }

    @Override
    public Connection open() throws IOException {
        if (!Files.exists(Path.of(path))) {
            throw new IOException(path + " does not exist (device unplugged?)");
        }
        // a link such as socat's link=… is resolved, so that a re-created link finds the new terminal
        SerialPort port = SerialPort.getCommPort(Path.of(path).toRealPath().toString());
        port.setComPortParameters(baud, 8, SerialPort.ONE_STOP_BIT, SerialPort.NO_PARITY);
        port.setFlowControl(SerialPort.FLOW_CONTROL_DISABLED);
        port.setComPortTimeouts(SerialPort.TIMEOUT_READ_SEMI_BLOCKING | SerialPort.TIMEOUT_WRITE_BLOCKING, 200, 1000);
        if (!port.openPort()) {
            throw new IOException("cannot open " + path + " (error " + port.getLastErrorCode() + " at " + port.getLastErrorLocation()
                    + "; is another program using it, or is it not a terminal?)");
        }
        return new Connection() {
            private final InputStream in = new SerialInput(port);
            private final OutputStream out = port.getOutputStream();

            @Override
            public InputStream in() {
                return in;
            }

            @Override
            public OutputStream out() {
                return out;
            }

            @Override
            public void close() {
                port.closePort();
            }
        };
    }

    /**
     * Reads with a timeout so that a vanished port is noticed: jSerialComm's read returns 0 on a
     * timeout and -1 once the port is closed or gone; a gone port also fails {@code bytesAvailable}.
     */
    private static final class SerialInput extends InputStream {
        private final SerialPort port;

        SerialInput(SerialPort port) {
            this.port = port;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (true) {
                if (!port.isOpen()) {
                    return -1;
                }
                int n = port.readBytes(b, len, off);
                if (n < 0 || port.bytesAvailable() < 0) {
                    throw new IOException(port.getSystemPortPath() + " is gone (error " + port.getLastErrorCode() + ")");
                }
                if (n > 0) {
                    return n;
                }
            }
        }
    }
}
