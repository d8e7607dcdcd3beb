package io.fleetkit.hil.device;

import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.testport.TestPortDevice;
import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.security.PrivateKey;
import java.time.Clock;
import java.util.SplittableRandom;

/**
 * The firmware model playing the physical device on the device's end of a link (a pseudo-terminal
 * or a TCP port): a {@link TestPortDevice} fed by a passive {@link TestPortLink}. Tests use it in
 * place of hardware; conformance runs use it as the reference.
 */
public final class ModelDevice implements AutoCloseable {
    private final TestPortDevice device;
    private final TestPortLink link;
    private final MethodOverrides overrides;

    /**
     * @param key            the key presence proofs are signed with (the device's, as in its secure element)
     * @param rateMultiplier telemetry this many times as often as the model says
     */
    public ModelDevice(RegistrationId id, PrivateKey key, DeviceModel model, Port port, MethodOverrides overrides, double rateMultiplier) {
        this.overrides = overrides;
        TestPortLink[] linkRef = new TestPortLink[1];
        FirmwareConfig config = FirmwareConfig.of(id, "unused", IdScope.DEFAULT, model).withRateMultiplier(rateMultiplier);
        SplittableRandom random = new SplittableRandom(id.value().hashCode());
        device = new TestPortDevice(TestPortDevice.firmware(config, new SimulatedHardware(model, key, random.split()), overrides, random.split()),
                Clock.systemUTC(), m -> linkRef[0].send(m));
        link = new TestPortLink(port, TestPortLink.Options.PASSIVE, new TestPortLink.Listener() {
            @Override
            public void received(TestPortMessage message) {
                device.fromBridge(message);
            }

            @Override
            public void up(String p) {
                device.linkUp();
            }

            @Override
            public void down(String reason) {
                device.linkDown(reason);
            }
        });
        linkRef[0] = link;
    }

    public ModelDevice start() {
        link.start();
        device.boot();
        return this;
    }

    public TestPortDevice device() {
        return device;
    }

    public TestPortLink link() {
        return link;
    }

    /** Change the device's answers while it runs. */
    public MethodOverrides overrides() {
        return overrides;
    }

    @Override
    public void close() {
        device.close();
        link.close();
    }
}
