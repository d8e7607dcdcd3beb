package io.fleetkit.backend.capture;

import java.io.IOException;
import java.io.OutputStream;

/**
 * Where capture files go: a folder ({@link FileCaptureStore}) or an Azure Blob Storage container ({@link BlobCaptureStore}).
 * Names are Event Hubs Capture's layout, {@code {namespace}/{hub}/{partition}/yyyy/MM/dd/HH/mm/ss.avro}; a file becomes
 * visible under its name only when committed, whole, so a reader never sees half of one.
 */
public interface CaptureStore {
    /** Readies a partition's folder ({@code {namespace}/{hub}/{partition}}), removing what an earlier run left unfinished. */
    void prepare(String partitionPath) throws IOException;

    /** Whether a committed file has this name. */
    boolean exists(String name) throws IOException;

    /** A new file, invisible until {@link CaptureFile#commit}. */
    CaptureFile create(String name) throws IOException;

    /** Where, for logs and the banner. */
    String describe();

    /** One file being written. */
    interface CaptureFile {
        /** Where its bytes go; closing it does not commit it. */
        OutputStream out();

        /** Makes it visible, whole, under its name. */
        void commit() throws IOException;

        /** Drops it (what was written is never seen). */
        void abandon();

        String name();
    }
}
