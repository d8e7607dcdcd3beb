package io.fleetkit.backend.processing;

import io.fleetkit.backend.routing.RoutingSink;
import io.fleetkit.backend.store.DeviceStateStore;
import io.fleetkit.protocol.message.Lifecycle;
import io.fleetkit.protocol.message.LifecycleEvent;

/**
 * The built-in lifecycle processor: a boot message updates the device's state (firmware
 * version, model, last boot and its reason); the hub's connection events its online state and
 * last activity. Firmware-update progress is not stored yet.
 */
public final class DeviceStateHandler implements DeviceMessageHandler {
    private final DeviceStateStore store;

    public DeviceStateHandler(DeviceStateStore store) {
        this.store = store;
    }

    @Override
    public void onConnectionState(MessageContext context, boolean connected) {
        store.recordPresence(context.deviceId(), connected, context.enqueuedTime());
        String modelId = context.properties().get(RoutingSink.MODEL_ID);
        if (connected && modelId != null) {
            store.recordModelId(context.deviceId(), modelId); // the Plug and Play model id of its CONNECT
        }
    }

    @Override
    public void onLifecycle(MessageContext context, Lifecycle message) {
        if (message.event() instanceof LifecycleEvent.Boot boot) {
            store.recordBoot(context.deviceId(), boot.modelId(), boot.firmwareVersion(), message.ts(), boot.resetReason().wireName());
        }
    }
}
