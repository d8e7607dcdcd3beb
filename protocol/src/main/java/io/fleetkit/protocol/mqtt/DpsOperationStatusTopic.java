package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.id.OperationId;
import io.fleetkit.protocol.id.RequestId;

import java.util.Objects;

/**
 * A device polls its registration operation:
 * {@code $dps/registrations/GET/iotdps-get-operationstatus/?$rid={rid}&operationId={operationId}}.
 */
public record DpsOperationStatusTopic(RequestId requestId, OperationId operationId) implements Topic {
    public DpsOperationStatusTopic {
        Objects.requireNonNull(requestId, "requestId");
        Objects.requireNonNull(operationId, "operationId");
    }

    @Override
    public String format() {
        return "$dps/registrations/GET/iotdps-get-operationstatus/?$rid=" + requestId.value()
                + "&operationId=" + operationId.value();
    }

    @Override
    public Direction direction() {
        return Direction.DEVICE_TO_CLOUD;
    }
}
