package io.fleetkit.cli;

import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.SerialLine;
import io.fleetkit.hil.link.TcpClientPort;
import io.fleetkit.hil.link.TcpServerPort;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;

/** The options that name a test port, from the bridge's side and from the device's side. */
final class HilPorts {
    private HilPorts() {
    }

    /** The bridge's end: a serial line or a board's TCP port. */
    static final class BridgeEnd {
        @Option(names = "--port", paramLabel = "PATH", required = true,
                description = "the device's serial line, e.g. /dev/ttyUSB0 or a pseudo-terminal")
        String serial;

        @Option(names = "--tcp", paramLabel = "HOST:PORT", required = true, description = "the test port of a board with Ethernet")
        String tcp;

        Port port(CommandLine cli, int baud) {
            try {
                return serial != null ? new SerialLine(serial, baud) : TcpClientPort.parse(tcp);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, (serial != null ? "--baud: " : "--tcp: ") + e.getMessage());
            }
        }
    }

    /** The device's end: the other side of a pseudo-terminal pair, or a TCP port the bridge connects to. */
    static final class DeviceEnd {
        @Option(names = "--port", paramLabel = "PATH", required = true, description = "the device's end of a serial line or pseudo-terminal pair")
        String serial;

        @Option(names = "--listen", paramLabel = "PORT", required = true, description = "listen on 127.0.0.1:PORT for the bridge (--tcp on its side)")
        Integer listen;

        Port port(CommandLine cli, int baud) {
            if (serial != null) {
                return new SerialLine(serial, baud);
            }
            if (listen < 0 || listen > 65535) {
                throw new CommandLine.ParameterException(cli, "--listen must be 0–65535, was " + listen);
            }
            try {
                return new TcpServerPort(listen);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot listen on 127.0.0.1:" + listen + ": " + e.getMessage(), e);
            }
        }
    }
}
