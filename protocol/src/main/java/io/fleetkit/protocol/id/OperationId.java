package io.fleetkit.protocol.id;

import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The id DPS gives a registration operation (e.g. {@code 4.abc}), which the device passes back
 * when it polls the operation's status: 1–128 ASCII letters, digits and {@code - . _ ~ :}.
 */
public record OperationId(String value) {
    public static final int MAX_LENGTH = 128;

    public OperationId {
        IdentifierRules.check(Subject.OPERATION_ID, value, MAX_LENGTH, RequestId::allowed,
                "ASCII letters, digits and - . _ ~ :");
    }

    public static OperationId of(String value) {
        return new OperationId(value);
    }

    @Override
    public String toString() {
        return value;
    }
}
