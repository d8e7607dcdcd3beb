package io.fleetkit.cli;

import io.fleetkit.firmware.swarm.Swarm;
import io.fleetkit.firmware.swarm.SwarmFlash;
import io.fleetkit.firmware.swarm.SwarmRun;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Function;

/**
 * What {@code sim} and {@code demo} do while a swarm runs: progress and "all online" on the terminal, whatever runs beside
 * the swarm (method calls, the demo's dashboard control) started with it and closed before it stops, and the devices' flash
 * kept in a file at the end.
 */
final class SwarmListeners implements SwarmRun.Listener {
    private final PrintWriter err;
    private final Path flashFile;
    private final Function<Swarm, AutoCloseable> alongside;
    private Swarm swarm;
    private AutoCloseable running;

    /**
     * @param flashFile where to keep the devices' flash, or null
     * @param alongside started with the swarm, closed when it stops; null for nothing
     */
    SwarmListeners(PrintWriter err, Path flashFile, Function<Swarm, AutoCloseable> alongside) {
        this.err = err;
        this.flashFile = flashFile;
        this.alongside = alongside;
    }

    @Override
    public void started(Swarm s) {
        swarm = s;
        running = alongside == null ? null : alongside.apply(s);
    }

    @Override
    public void allOnline(int devices, Duration after) {
        err.printf("all %d devices online after %.1f s%n", devices, after.toMillis() / 1000.0);
        err.flush();
    }

    @Override
    public void progress(String line) {
        err.println(line);
        err.flush();
    }

    @Override
    public void stopping(Swarm s) {
        closeAlongside();
    }

    /** The devices are off now: what their flash holds is final. Call once the run is over, however it ended. */
    void saveFlash() {
        closeAlongside();
        if (flashFile == null || swarm == null) {
            return;
        }
        try {
            SwarmFlash.write(flashFile, swarm.devices());
        } catch (IOException e) {
            err.println("could not keep the devices' flash in " + flashFile + " (the next run starts from the factory): " + e.getMessage());
        }
    }

    private void closeAlongside() {
        if (running != null) {
            try {
                running.close();
            } catch (Exception e) {
                err.println("stopping what ran beside the swarm: " + e.getMessage());
            }
            running = null;
        }
    }
}
