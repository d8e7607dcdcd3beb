package io.fleetkit.firmware;

import io.fleetkit.protocol.id.MethodName;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The overrides in force, by method name; one instance can be shared by a whole swarm or given
 * to one device. Thread-safe: the dashboard changes it while devices read it.
 */
public final class MethodOverrides {
    private final Map<MethodName, MethodOverride> overrides = new ConcurrentHashMap<>();

    public void set(MethodName method, MethodOverride override) {
        overrides.put(method, override);
    }

    public void clear(MethodName method) {
        overrides.remove(method);
    }

    public void clearAll() {
        overrides.clear();
    }

    public MethodOverride lookup(MethodName method) {
        return overrides.getOrDefault(method, MethodOverride.NONE);
    }
}
