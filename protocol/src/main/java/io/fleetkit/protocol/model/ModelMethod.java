package io.fleetkit.protocol.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.fleetkit.protocol.id.MethodName;
import io.fleetkit.protocol.method.ReferenceMethod;

import java.util.Objects;
import java.util.Optional;

/**
 * A direct method a device model supports. The reference methods ({@link ReferenceMethod}) are
 * implemented by the firmware model; any other method must give the fixed response it answers with.
 *
 * @param response status and payload for a method that is not a reference method
 */
public record ModelMethod(MethodName name, Optional<FixedResponse> response) {
    public ModelMethod {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(response, "response");
        if (ReferenceMethod.of(name).isEmpty() && response.isEmpty()) {
            throw new IllegalArgumentException("response: '" + name.value()
                    + "' is not a reference method, so the model must give the response it answers with");
        }
    }

    /** The reference method this is, if any. */
    public Optional<ReferenceMethod> reference() {
        return ReferenceMethod.of(name);
    }

    /** A canned answer: status and JSON payload (absent for none). */
    public record FixedResponse(int status, Optional<JsonNode> payload) {
        public FixedResponse {
            if (status < 0 || status > 999) {
                throw new IllegalArgumentException("status: must be 0–999, was " + status);
            }
            Objects.requireNonNull(payload, "payload");
            payload = payload.map(JsonNode::deepCopy);
        }
    }
}
