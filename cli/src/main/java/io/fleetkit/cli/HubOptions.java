package io.fleetkit.cli;

import io.fleetkit.backend.EmbeddedHub;
import io.fleetkit.backend.dps.AllocationPolicy;
import io.fleetkit.backend.dps.Enrollment;
import io.fleetkit.backend.throttle.ThrottleProfile;
import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.HubHostName;
import io.fleetkit.protocol.id.IdScope;
import io.fleetkit.protocol.pki.Pem;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Supplier;

/** How {@code fleetkit serve} runs its hub + DPS: where it listens, the names and scope it gives devices, throttles, enrollments. */
final class HubOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "8883",
            description = "port (default: ${DEFAULT-VALUE}, which the Azure SDKs dial; 0 picks a free one)")
    int port;

    @Option(names = "--dps-port", paramLabel = "PORT",
            description = "also serve DPS alone on this port (default: DPS shares the main port, told apart by the username)")
    Integer dpsPort;

    @Option(names = "--hub-host", paramLabel = "NAME", split = ",", defaultValue = "127.0.0.1",
            description = "host names of the hub that DPS assigns devices to (default: ${DEFAULT-VALUE})")
    List<String> hubHosts;

    @Option(names = "--id-scope", paramLabel = "SCOPE", defaultValue = "0ne00000001", description = "the DPS id scope (default: ${DEFAULT-VALUE})")
    String idScope;

    @Option(names = "--throttle", paramLabel = "PROFILE", defaultValue = "off",
            description = "Azure-like throttling: off, f1, s1, s2, s3, with units as in s1x4 (default: ${DEFAULT-VALUE})")
    String throttle;

    @Option(names = "--allocation", paramLabel = "POLICY", defaultValue = "hashed",
            description = "how DPS picks the hub (of --hub-host) for the devices of the enrollments: hashed (evenly weighted, a stable"
                    + " hash), static:HOST (all to one hub) or custom:URL (Azure's custom allocation webhook, e.g. an Azure Function;"
                    + " its answer names the hub and the initial twin) (default: ${DEFAULT-VALUE})")
    String allocation;

    @Option(names = "--enroll-ca", paramLabel = "PEM", description = "another CA certificate to accept devices from (repeatable)")
    List<Path> extraCas = new ArrayList<>();

    @Option(names = "--enroll-device", paramLabel = "PEM", description = "a device certificate to enroll individually (repeatable)")
    List<Path> extraDevices = new ArrayList<>();

    ThrottleProfile profile() {
        return parse("--throttle", () -> ThrottleProfile.parse(throttle));
    }

    IdScope scope() {
        return parse("--id-scope", () -> IdScope.of(idScope));
    }

    List<HubHostName> hubHostNames() {
        return parse("--hub-host", () -> hubHosts.stream().map(HubHostName::of).toList());
    }

    /** Checks every option now (a wrong one is a usage error naming it); what it returns applies them to the hub's builder. */
    Consumer<EmbeddedHub.Builder> settings() {
        ThrottleProfile profile = profile();
        IdScope scope = scope();
        List<HubHostName> hubs = hubHostNames();
        AllocationPolicy policy = parse("--allocation", () -> AllocationPolicy.parse(allocation, hubs));
        checkBindAddress(spec.commandLine(), bind);
        checkPort("--port", port);
        if (dpsPort != null) {
            checkPort("--dps-port", dpsPort);
        }
        List<Enrollment> enrollments = new ArrayList<>();
        for (Path ca : extraCas) {
            enrollments.add(new Enrollment.Group(ca.getFileName().toString(), Pem.readCertificates(ca).get(0), true, policy));
        }
        for (Path device : extraDevices) {
            enrollments.add(Enrollment.Individual.of(Pem.readCertificates(device).get(0)).withAllocation(policy));
        }
        int dps = dpsPort == null ? -1 : dpsPort;
        return hub -> {
            hub.bind(bind).port(port).hubHostNames(hubs).idScope(scope).throttle(profile).dpsPort(dps).allocation(policy);
            enrollments.forEach(hub::enrollment);
        };
    }

    void checkPort(String option, int value) {
        if (value < 0 || value > 65535) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " must be 0–65535, was " + value);
        }
    }

    /** An IP literal, or a host name; something that looks like an IPv4 address must be one (each part 0–255). */
    static void checkBindAddress(CommandLine cli, String bind) {
        boolean dotted = bind.matches("[0-9.]+");
        boolean ip = io.netty.util.NetUtil.isValidIpV4Address(bind) || io.netty.util.NetUtil.isValidIpV6Address(bind);
        if ((dotted && !ip) || (!ip && !bind.matches("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?"))) {
            throw new CommandLine.ParameterException(cli, "--bind " + bind + ": not an IP address (IPv4: four parts of 0–255, "
                    + "e.g. 127.0.0.1) or a host name");
        }
    }

    private <T> T parse(String option, Supplier<T> parse) {
        try {
            return parse.get();
        } catch (IllegalArgumentException | ProtocolException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }
}
