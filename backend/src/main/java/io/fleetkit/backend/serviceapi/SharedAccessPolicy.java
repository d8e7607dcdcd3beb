package io.fleetkit.backend.serviceapi;

import java.util.Base64;
import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * One of the hub's shared access policies: a name, two keys (either signs; rotate one while the other is in use) and the
 * permissions its tokens carry.
 *
 * @param primaryKey   base64, as IoT Hub shows it
 * @param secondaryKey base64
 */
public record SharedAccessPolicy(String name, String primaryKey, String secondaryKey, Set<Permission> permissions) {
    public SharedAccessPolicy {
        Objects.requireNonNull(name, "name");
        if (!name.matches("[A-Za-z0-9_.-]{1,64}")) {
            throw new IllegalArgumentException("policy name: 1–64 letters, digits, '_', '.' or '-', was '" + name + "'");
        }
        key(name, "primaryKey", primaryKey);
        key(name, "secondaryKey", secondaryKey);
        if (permissions.isEmpty()) {
            throw new IllegalArgumentException("policy '" + name + "': no permissions");
        }
        permissions = Set.copyOf(EnumSet.copyOf(permissions));
    }

    private static void key(String policy, String field, String value) {
        Objects.requireNonNull(value, field);
        byte[] raw;
        try {
            raw = Base64.getDecoder().decode(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("policy '" + policy + "': " + field + " is not base64");
        }
        if (raw.length < 16 || raw.length > 64) {
            throw new IllegalArgumentException("policy '" + policy + "': " + field + " must be 16–64 bytes (IoT Hub's keys are 32), was " + raw.length);
        }
    }

    public boolean allows(Permission p) {
        return permissions.contains(p) || (p == Permission.REGISTRY_READ && permissions.contains(Permission.REGISTRY_WRITE));
    }
}
