package io.fleetkit.protocol.message;

import io.fleetkit.protocol.codec.WireName;

import java.util.Objects;

/** What a {@link Lifecycle} message reports; the {@code event} member tells them apart. */
public sealed interface LifecycleEvent permits LifecycleEvent.Boot, LifecycleEvent.FirmwareUpdate {

    /**
     * The device booted: {@code "event":"boot"}.
     *
     * @param firmwareVersion e.g. {@code 1.4.2}
     * @param modelId         the device model, e.g. {@code thermostat}
     */
    record Boot(String firmwareVersion, String modelId, ResetReason resetReason) implements LifecycleEvent {
        public Boot {
            Messages.checkText("firmwareVersion", firmwareVersion, Messages.VERSION_MAX, Messages.VERSION);
            Messages.checkText("modelId", modelId, Messages.NAME_MAX, Messages.NAME);
            Objects.requireNonNull(resetReason, "resetReason");
        }
    }

    /** A firmware update progressed: {@code "event":"firmwareUpdate"}. */
    record FirmwareUpdate(String targetVersion, UpdateState state, int progressPercent) implements LifecycleEvent {
        public FirmwareUpdate {
            Messages.checkText("targetVersion", targetVersion, Messages.VERSION_MAX, Messages.VERSION);
            Objects.requireNonNull(state, "state");
            if (progressPercent < 0 || progressPercent > 100) {
                throw new IllegalArgumentException("progressPercent: must be 0–100, was " + progressPercent);
            }
        }
    }

    /** Why the device last reset. */
    enum ResetReason implements WireName {
        POWER_ON("powerOn"), WATCHDOG("watchdog"), BROWNOUT("brownout"), SOFTWARE("software"),
        FIRMWARE_UPDATE("firmwareUpdate"), FACTORY_RESET("factoryReset"), UNKNOWN("unknown");

        private final String wireName;

        ResetReason(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }

    /** The phase of a firmware update. */
    enum UpdateState implements WireName {
        DOWNLOADING("downloading"), VERIFYING("verifying"), APPLYING("applying"), SUCCEEDED("succeeded"), FAILED("failed");

        private final String wireName;

        UpdateState(String wireName) {
            this.wireName = wireName;
        }

        @Override
        public String wireName() {
            return wireName;
        }
    }
}
