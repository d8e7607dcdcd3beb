package io.fleetkit.firmware;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * What every transport does around a {@link Firmware}: calls it on one thread only (the
 * executor it is given: a Netty event loop, or a thread of its own), runs its timers there,
 * keeps its flash and LED, and reports state changes. Subclasses carry out the network actions.
 */
public abstract class DeviceRunner {
    private final Firmware firmware;
    private final ScheduledExecutorService executor;
    private final Map<Timer, ScheduledFuture<?>> timers = new EnumMap<>(Timer.class); // executor thread only
    private volatile LifecycleState state = LifecycleState.OFF;
    private volatile NonVolatileState flash;
    private volatile Action.SetLed led;

    protected DeviceRunner(Firmware firmware, ScheduledExecutorService executor) {
        this.firmware = firmware;
        this.executor = executor;
        this.flash = firmware.nonVolatileState();
    }

    public Firmware firmware() {
        return firmware;
    }

    public LifecycleState state() {
        return state;
    }

    /** What the device has in flash now. */
    public NonVolatileState flash() {
        return flash;
    }

    /** The LED as last set, or null before the first change. */
    public Action.SetLed led() {
        return led;
    }

    /** Powers the device on. */
    public void boot() {
        executor.execute(() -> dispatch(new Event.Boot()));
    }

    public void pressButton() {
        executor.execute(() -> dispatch(new Event.ButtonPressed()));
    }

    /** Sends telemetry {@code multiplier} times as often as the model says, from now on. */
    public void changeRate(double multiplier) {
        executor.execute(() -> dispatch(new Event.RateChanged(multiplier)));
    }

    /** Power-cycles the device: it restarts with only its flash. */
    public void powerCycle() {
        executor.execute(() -> dispatch(new Event.PowerCycle()));
    }

    /**
     * Runs {@code task} on the device's thread; once the device is powered off and stopped, what still arrives (a link that
     * goes down as it is closed, a late answer) goes nowhere, as it would to a device without power.
     */
    protected final void post(Runnable task) {
        try {
            executor.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            if (!executor.isShutdown()) {
                throw stopped;
            }
        }
    }

    protected final ScheduledExecutorService executor() {
        return executor;
    }

    /** Hands an event to the firmware. Executor thread only. */
    protected final void dispatch(Event e) {
        if (state == LifecycleState.OFF && !(e instanceof Event.Boot)) {
            return;
        }
        beforeDispatch(e);
        List<Action> actions = firmware.handle(e, now());
        for (Action a : actions) {
            if (a instanceof Action.Schedule s) {
                ScheduledFuture<?> previous = timers.put(s.timer(), executor.schedule(() -> {
                    timers.remove(s.timer());
                    dispatch(new Event.TimerFired(s.timer()));
                }, s.delay().toNanos(), TimeUnit.NANOSECONDS));
                if (previous != null) {
                    previous.cancel(false);
                }
            } else if (a instanceof Action.Cancel c) {
                ScheduledFuture<?> f = timers.remove(c.timer());
                if (f != null) {
                    f.cancel(false);
                }
            } else if (a instanceof Action.SetLed l) {
                led = l;
                ledChanged(l);
            } else if (a instanceof Action.Persist p) {
                flash = p.state();
            } else {
                transport(a);
            }
        }
        LifecycleState to = firmware.state();
        if (to != state) {
            LifecycleState from = state;
            state = to;
            stateChanged(from, to);
        }
    }

    /**
     * For runners that own their executor (one thread per device): powers off on it, then ends it
     * and waits for it. Closing again does nothing.
     */
    protected final void powerOffAndStop() {
        if (executor.isShutdown()) {
            return;
        }
        executor.execute(this::powerOff);
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Powers off on the executor: timers cancelled, state OFF, then {@link #closeConnections()}. */
    protected final void powerOff() {
        timers.values().forEach(f -> f.cancel(false));
        timers.clear();
        closeConnections();
        LifecycleState from = state;
        state = LifecycleState.OFF;
        if (from != LifecycleState.OFF) {
            stateChanged(from, LifecycleState.OFF);
        }
    }

    /** Connect, Disconnect, Subscribe, Publish: the network's part. */
    protected abstract void transport(Action action);

    protected abstract void closeConnections();

    protected abstract java.time.Instant now();

    /** Called before the firmware sees an event (for logs). */
    protected void beforeDispatch(Event e) {
    }

    protected void ledChanged(Action.SetLed led) {
    }

    protected void stateChanged(LifecycleState from, LifecycleState to) {
    }
}
