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
    private final MethodOverrides fallback;

    /** Overrides of their own only. */
    public MethodOverrides() {
        this.fallback = null;
    }

    /** One device's overrides: its own first, then the shared ones (the whole swarm's). */
    public MethodOverrides(MethodOverrides fallback) {
        this.fallback = java.util.Objects.requireNonNull(fallback, "fallback");
    }

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
        MethodOverride own = overrides.get(method);
        if (own != null) {
            return own;
        }
        return fallback == null ? MethodOverride.NONE : fallback.lookup(method);
    }

    /** This instance's own overrides (not the fallback's), by method name. */
    public Map<MethodName, MethodOverride> own() {
        return Map.copyOf(overrides);
    }
}
