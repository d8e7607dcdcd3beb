package io.fleetkit.cli;

import io.fleetkit.backend.stream.kafka.KafkaSettings;
import io.fleetkit.protocol.FleetkitException;
import picocli.CommandLine;
import picocli.CommandLine.Option;

import java.nio.file.Path;

/** Where {@code fleetkit serve} keeps its streams: the file log under --data, Apache Kafka, or Azure Event Hubs. */
final class StreamOptions {
    static final String EVENT_HUBS_ENV = "FLEETKIT_EVENTHUBS_CONNECTION_STRING";

    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    enum Engine { file, kafka, eventhubs }

    @Option(names = "--streams", paramLabel = "ENGINE", defaultValue = "file",
            description = "where the routing endpoints' streams live: file (a log under --data), kafka (topics on Apache Kafka),"
                    + " eventhubs (event hubs in an Azure Event Hubs namespace, through its Kafka endpoint; the namespace's"
                    + " connection string from the environment variable " + EVENT_HUBS_ENV + ") (default: ${DEFAULT-VALUE})")
    Engine engine;

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT", description = "with --streams kafka: the broker(s), e.g. 127.0.0.1:9092")
    String bootstrap;

    @Option(names = "--kafka-config", paramLabel = "FILE",
            description = "with --streams kafka or eventhubs: Kafka client properties (any producer, consumer or admin client"
                    + " property; fleetkit.profile=kafka|eventhubs), e.g. TLS and SASL settings")
    Path config;

    @Option(names = "--kafka-topics", paramLabel = "PATTERN",
            description = "topic of each endpoint, with {endpoint} in it (default: " + KafkaSettings.DEFAULT_TOPICS + ")")
    String topics;

    @Option(names = "--no-create-topics",
            description = "with --streams kafka: only check that the topics exist and name the missing ones (default: create them,"
                    + " with the endpoint's partition count; on Event Hubs topics are never created)")
    boolean noCreateTopics;

    /** The Kafka settings asked for; null for the file log. Every inconsistency is a parameter error naming the flag. */
    KafkaSettings settings() {
        CommandLine cli = spec.commandLine();
        try {
            return switch (engine) {
                case file -> {
                    if (bootstrap != null || config != null || topics != null || noCreateTopics) {
                        throw new CommandLine.ParameterException(cli, "--kafka-bootstrap, --kafka-config, --kafka-topics and"
                                + " --no-create-topics need --streams kafka or --streams eventhubs");
                    }
                    yield null;
                }
                case kafka -> {
                    KafkaSettings s;
                    if (config != null) {
                        s = KafkaSettings.load(config);
                        if (bootstrap != null) {
                            s = s.with("bootstrap.servers", bootstrap);
                        }
                    } else if (bootstrap != null) {
                        s = KafkaSettings.bootstrap(bootstrap);
                    } else {
                        throw new CommandLine.ParameterException(cli, "--streams kafka needs --kafka-bootstrap HOST:PORT or"
                                + " --kafka-config FILE (start a local broker with './fleetkit kafka')");
                    }
                    yield topics(noCreateTopics && s.createTopics() ? s.withCreateTopics(false) : s);
                }
                case eventhubs -> {
                    if (bootstrap != null) {
                        throw new CommandLine.ParameterException(cli, "--kafka-bootstrap: with --streams eventhubs the address comes from"
                                + " the connection string in " + EVENT_HUBS_ENV);
                    }
                    KafkaSettings s;
                    String connection = System.getenv(EVENT_HUBS_ENV);
                    if (connection != null && !connection.isBlank()) {
                        s = KafkaSettings.eventHubs(connection.trim());
                        if (config != null) {
                            KafkaSettings file = KafkaSettings.load(config);
                            for (var e : file.client().entrySet()) {
                                s = s.with(e.getKey(), e.getValue());
                            }
                        }
                    } else if (config != null) {
                        s = KafkaSettings.load(config);
                        if (s.profile() != KafkaSettings.Profile.EVENT_HUBS) {
                            throw new CommandLine.ParameterException(cli, "--kafka-config " + config + ": not an Event Hubs profile (set"
                                    + " fleetkit.profile=eventhubs, or a bootstrap.servers on *.servicebus.windows.net)");
                        }
                    } else {
                        throw new CommandLine.ParameterException(cli, "--streams eventhubs: set " + EVENT_HUBS_ENV + " to the namespace's"
                                + " connection string (Endpoint=sb://…;SharedAccessKeyName=…;SharedAccessKey=…), or give --kafka-config");
                    }
                    yield topics(s);
                }
            };
        } catch (FleetkitException e) {
            String flag = config != null ? "--kafka-config" : engine == Engine.eventhubs ? EVENT_HUBS_ENV : "--kafka-bootstrap";
            throw new CommandLine.ParameterException(cli, flag + ": " + e.getMessage());
        }
    }

    private KafkaSettings topics(KafkaSettings s) {
        try {
            return topics == null ? s : s.withTopics(topics);
        } catch (FleetkitException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--kafka-topics: " + e.getMessage());
        }
    }

    /** One line for the banner: which engine, where, which topics. */
    static String describe(KafkaSettings s) {
        return (s.profile() == KafkaSettings.Profile.EVENT_HUBS ? "Event Hubs " : "Kafka ") + s.bootstrapServers() + ", topics "
                + s.topicPattern();
    }
}
