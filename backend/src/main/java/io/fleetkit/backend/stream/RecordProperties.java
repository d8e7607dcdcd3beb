package io.fleetkit.backend.stream;

/**
 * The properties the hub itself sets on a {@link StreamRecord}, named as IoT Hub names them when it routes events
 * (https://learn.microsoft.com/azure/iot-hub/iot-hub-devguide-messages-construct): the router writes them, processors read
 * them. Kept here, beside the record, so neither side imports the other.
 */
public final class RecordProperties {
    /** The property that says where a hub-generated event comes from. */
    public static final String MESSAGE_SOURCE = "iothub-message-source";
    /** The value of {@link #MESSAGE_SOURCE} on the hub's connection events, as IoT Hub names it. */
    public static final String CONNECTION_STATE_EVENTS = "deviceConnectionStateEvents";
    /** The property naming a connection event: {@link #DEVICE_CONNECTED} or {@link #DEVICE_DISCONNECTED}. */
    public static final String OP_TYPE = "opType";
    public static final String DEVICE_CONNECTED = "deviceConnected";
    public static final String DEVICE_DISCONNECTED = "deviceDisconnected";
    /**
     * On a connection event, the IoT Plug and Play model id the device announced in its CONNECT. Fleetkit's addition: IoT Hub
     * keeps it as the twin's {@code modelId}; the connection event is where fleetkit's processors learn it.
     */
    public static final String MODEL_ID = "modelId";

    private RecordProperties() {
    }
}
