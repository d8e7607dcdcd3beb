package io.fleetkit.protocol.codec;

/** An enum whose constants have a spelling on the wire (e.g. {@code powerOn}) apart from their Java name. */
public interface WireName {
    String wireName();
}
