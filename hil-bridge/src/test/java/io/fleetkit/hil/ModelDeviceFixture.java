package io.fleetkit.hil;

import io.fleetkit.firmware.FirmwareConfig;
import io.fleetkit.firmware.MethodOverrides;
import io.fleetkit.firmware.SimulatedHardware;
import io.fleetkit.firmware.testport.TestPortDevice;
import io.fleetkit.hil.link.Port;
import io.fleetkit.hil.link.TestPortLink;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.model.DeviceModel;
import io.fleetkit.protocol.pki.DeviceIdentity;
import io.fleetkit.protocol.testport.TestPortMessage;

import java.time.Clock;
import java.util.SplittableRandom;

/** The firmware model on the device's end of a link: a {@link TestPortDevice} fed by a passive {@link TestPortLink}. */
final class ModelDeviceFixture implements AutoCloseable {
    final TestPortDevice device;
    final TestPortLink link;
    final MethodOverrides overrides = new MethodOverrides();

    ModelDeviceFixture(DeviceIdentity identity, DeviceModel model, Port port) {
        TestPortLink[] linkRef = new TestPortLink[1];
        FirmwareConfig config = FirmwareConfig.of(identity.registrationId(), "unused", IdScope.DEFAULT, model).withRateMultiplier(4);
        device = new TestPortDevice(TestPortDevice.firmware(config, new SimulatedHardware(model, identity.credential().key(),
                new SplittableRandom(7)), overrides, new SplittableRandom(7)), Clock.systemUTC(), m -> linkRef[0].send(m));
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

    ModelDeviceFixture start() {
        link.start();
        device.boot();
        return this;
    }

    @Override
    public void close() {
        device.close();
        link.close();
    }
}
