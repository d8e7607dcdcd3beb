package io.fleetkit.hil.link;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** Where a test port is reached: a serial line or a TCP connection. Opened again after each loss. */
public interface Port {

    /** For messages: "serial /dev/ttyUSB0 115200 8N1", "tcp 192.168.1.20:5555". */
    String describe();

    /**
     * Opens the port; blocks until it is open (a server port: until a peer connects).
     *
     * @throws IOException saying why the port cannot be opened (absent, busy, refused)
     */
    Connection open() throws IOException;

    /** Stops a blocked {@link #open} and releases what the port holds (a listening socket). */
    default void shutdown() {
    }

    /** One opened port. {@link #in()} returns -1 or throws once the port is gone. */
    interface Connection extends Closeable {
        InputStream in();

        OutputStream out();
    }
}
