package io.fleetkit.cli.bench;

import io.fleetkit.bench.load.ConnectScenario;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine;

import java.util.List;

/** {@code fleetkit bench connect}: the options of {@link ConnectScenario}, which runs it. */
@Command(name = "connect", mixinStandardHelpOptions = true,
        description = {"Connect storm: N TLS devices with client certificates; connections/s, time to all connected,",
                "and memory per idle connection on the server and in the generator."})
final class ConnectCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Mixin
    BenchOptions common;

    @Option(names = "--devices", paramLabel = "N", defaultValue = "3000",
            description = "devices that connect (default: ${DEFAULT-VALUE}; at most 19000: the 20,000 descriptors a process may hold)")
    int devices;

    @Option(names = "--window", paramLabel = "W", defaultValue = "200", description = "handshakes in flight (default: ${DEFAULT-VALUE})")
    int window;

    @Option(names = "--systems", paramLabel = "LIST", split = ",", defaultValue = "fleetkit,hivemq,mosquitto",
            description = "what to compare, in this order (default: ${DEFAULT-VALUE})")
    List<String> systemNames;

    @Override
    public void run() {
        common.run(spec, load -> new ConnectScenario(load, devices, window, systemNames).run());
    }
}
