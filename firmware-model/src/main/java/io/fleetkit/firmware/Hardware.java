package io.fleetkit.firmware;

import io.fleetkit.protocol.id.DeviceId;
import io.fleetkit.protocol.message.Reading;

import java.time.Instant;
import java.util.Map;

/**
 * The device's hardware as the firmware sees it. The simulated implementation drives sensors
 * from the device model's generators; the HIL bridge can put the physical device behind it.
 * Called on the device's thread only.
 */
public interface Hardware {

    /** One reading of every sensor, in the device model's order. */
    Map<String, Reading> readSensors(Instant now);

    /** Signs a presence proof with the device key (in a real device, in its secure element). */
    byte[] signPresence(DeviceId deviceId, String nonce);

    /** Received signal strength, dBm. */
    int rssiDbm();

    long freeHeapBytes();
}
