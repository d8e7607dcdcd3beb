package io.fleetkit.protocol.mqtt;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.ProtocolException.Subject;

/**
 * The CONNECT username, which tells the two dialects apart:
 * {@code {idScope}/registrations/{registrationId}/api-version=…} is DPS
 * ({@link DpsUsername}), {@code {hubHostName}/{deviceId}/?api-version=…} is the hub
 * ({@link HubUsername}).
 */
public sealed interface MqttUsername permits HubUsername, DpsUsername {

    String format();

    /**
     * Parses a username of either dialect.
     *
     * @throws ProtocolException naming the index and reason
     */
    static MqttUsername parse(String username) {
        if (username == null) {
            throw new ProtocolException(Subject.USERNAME, null, null, "missing (the CONNECT carried no username)");
        }
        int slash = username.indexOf('/');
        if (slash > 0 && username.startsWith("/registrations/", slash)) {
            return DpsUsername.parse(username);
        }
        return HubUsername.parse(username);
    }
}
