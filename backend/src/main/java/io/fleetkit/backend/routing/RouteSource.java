package io.fleetkit.backend.routing;

/** What a route listens to, as in IoT Hub. */
public enum RouteSource {
    /** Device-to-cloud messages (telemetry, lifecycle, alerts, presence). */
    DEVICE_MESSAGES,
    /** Device lifecycle events from the hub: connected, disconnected, registered. */
    DEVICE_LIFECYCLE_EVENTS,
    /** Twin changes: reported or desired properties updated. */
    TWIN_CHANGE_EVENTS
}
