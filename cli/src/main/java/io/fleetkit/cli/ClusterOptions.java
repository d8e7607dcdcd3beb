package io.fleetkit.cli;

import io.fleetkit.backend.cluster.ClusterNode;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code fleetkit serve} as one node of a hub cluster: its id, its role, and where the other nodes reach it. */
final class ClusterOptions {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    enum RoleName { hub, backend, all }

    @Option(names = "--node-id", paramLabel = "N",
            description = "run as node N (0–32767) of a hub cluster: hub nodes share --port with SO_REUSEPORT, the registry, twins,"
                    + " cloud-to-device queues and the device → node map live in PostgreSQL (--database-url), the streams on Kafka"
                    + " (--streams kafka). Without it: one process, as always")
    Integer nodeId;

    @Option(names = "--role", paramLabel = "ROLE", defaultValue = "all",
            description = "with --node-id: hub (gateway, DPS, routing, API), backend (processors, API) or all (default: ${DEFAULT-VALUE})")
    RoleName role;

    @Option(names = "--cluster-bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "with --node-id: where this node takes commands for its devices from the other nodes; an address they reach"
                    + " (default: ${DEFAULT-VALUE}, for nodes on one host)")
    String bind;

    @Option(names = "--cluster-port", paramLabel = "PORT", defaultValue = "0",
            description = "with --node-id: that endpoint's port (default: 0, a free one; the nodes find it in the store)")
    int port;

    /** The node's options, or null when it runs alone; a flag that needs --node-id without it is a parameter error. */
    ClusterNode.Options options(boolean postgres, boolean kafka) {
        CommandLine cli = spec.commandLine();
        boolean roleGiven = cli.getParseResult().hasMatchedOption("--role");
        if (nodeId == null) {
            if (roleGiven || cli.getParseResult().hasMatchedOption("--cluster-bind") || cli.getParseResult().hasMatchedOption("--cluster-port")) {
                throw new CommandLine.ParameterException(cli, "--role, --cluster-bind and --cluster-port need --node-id");
            }
            return null;
        }
        if (!postgres) {
            throw new CommandLine.ParameterException(cli, "--node-id: the nodes of a cluster share their state in PostgreSQL;"
                    + " give --database-url jdbc:postgresql://HOST:5432/DB");
        }
        if (!kafka) {
            throw new CommandLine.ParameterException(cli, "--node-id: the nodes of a cluster share their streams on Kafka;"
                    + " give --streams kafka --kafka-bootstrap HOST:PORT (or --streams eventhubs)");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cli, "--cluster-port must be 0–65535, was " + port);
        }
        HubOptions.checkBindAddress(cli, bind);
        try {
            return new ClusterNode.Options(nodeId, ClusterNode.Role.valueOf(role.name().toUpperCase()), bind, port, ClusterNode.LIVENESS);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--node-id: " + e.getMessage());
        }
    }
}
