package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * An IoT Hub module id (an IoT Edge module or a module identity of a device): the same
 * character set and length as a {@link DeviceId}.
 */
public record ModuleId(String value) {
    public ModuleId {
        IdentifierRules.check(Subject.MODULE_ID, value, DeviceId.MAX_LENGTH,
                c -> IdentifierRules.isAsciiLetterOrDigit(c) || DeviceId.SPECIALS.indexOf(c) >= 0,
                DeviceId.ALLOWED);
    }

    public static ModuleId of(String value) {
        return new ModuleId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
