package io.fleetkit.backend.stream;

/**
 * An append refused at once because the stream already holds its cap of bytes waiting to be written:
 * its engine (the disk) is not keeping up. Nothing was queued; the caller may try again later.
 */
public final class StreamFullException extends IllegalStateException {
    public StreamFullException(String stream, long maxQueuedBytes) {
        super("stream " + stream + " already holds " + maxQueuedBytes + " bytes waiting to be written; not keeping up");
    }
}
