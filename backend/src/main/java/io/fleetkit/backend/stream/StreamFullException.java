package io.fleetkit.backend.stream;

import io.fleetkit.protocol.FleetkitException;

/**
 * An append refused at once because the stream already holds its cap of bytes waiting to be written:
 * its engine (the disk) is not keeping up. Nothing was queued; the caller may try again later.
 */
public final class StreamFullException extends FleetkitException {
    private static final long serialVersionUID = 1L;

    public StreamFullException(String stream, long maxQueuedBytes) {
        super(Kind.UNAVAILABLE, "stream " + stream + " already holds " + maxQueuedBytes + " bytes waiting to be written; not keeping up");
    }
}
