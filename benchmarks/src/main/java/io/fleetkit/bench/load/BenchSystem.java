package io.fleetkit.bench.load;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The systems a load run compares, each started in its own process: the fleetkit hub (its ingest:
 * durable append before PUBACK; or with the whole backend behind it: rows stored in H2 — or on the production engines,
 * streams on Kafka and rows in PostgreSQL), HiveMQ CE (embedded in its own JVM with its own Netty) and
 * Mosquitto (the C reference, its own instance with a TLS listener). All three require a client
 * certificate issued under the bench PKI and listen on 127.0.0.1.
 */
enum BenchSystem {
    FLEETKIT("fleetkit hub", true) {
        @Override
        ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port) {
            return startHub(this, ws, devices, throttle, port, "ingest");
        }
    },
    FLEETKIT_PIPELINE("fleetkit hub + backend", true) {
        @Override
        ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port) {
            return startHub(this, ws, devices, throttle, port, "pipeline");
        }
    },
    FLEETKIT_KAFKA("fleetkit hub + backend on Kafka + PostgreSQL", true) {
        @Override
        ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port) {
            ProductionEngines e = ws.engines();
            return startHub(this, ws, devices, throttle, port, "kafka", e.kafkaBootstrap(), e.databaseUrl(), e.databaseUser());
        }
    },
    HIVEMQ("HiveMQ CE 2025.5", true) {
        @Override
        ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port) {
            Path jar = BenchWorkspace.home().resolve("benchmarks/peers/hivemq/target/fleetkit-peer-hivemq.jar");
            if (!Files.isRegularFile(jar)) {
                throw new IllegalStateException("the HiveMQ CE peer is not built (" + jar + "); build it with "
                        + "'mvn -B -q -DskipTests -pl benchmarks/peers/hivemq -am package' (./fleetkit builds it on first use)");
            }
            List<String> cmd = java(ws, id(), "-jar", jar.toString(), ws.scratch("hivemq").toString(), Integer.toString(port),
                    ws.serverKeyStore().toString(), ws.trustStore().toString(), BenchWorkspace.STORE_PASSWORD);
            return ServerProcess.startControlled(label(), cmd, ws.log("hivemq"), Duration.ofMinutes(2));
        }
    },
    MOSQUITTO("Mosquitto", false) {
        @Override
        ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port) {
            Path binary = mosquitto();
            Path conf = ws.scratch("mosquitto").resolve("mosquitto.conf");
            Path pki = ws.pki().dir().toAbsolutePath();
            try {
                Files.writeString(conf, String.join("\n",
                        "# written by fleetkit bench: its own instance, TLS with client certificates, nothing kept on disk",
                        "per_listener_settings false",
                        "allow_anonymous true",
                        "persistence false",
                        // run as root, Mosquitto would switch to the user 'mosquitto', who cannot read the bench's private key
                        "root".equals(System.getProperty("user.name")) ? "user root" : "",
                        "log_dest stderr",
                        "log_type error",
                        "log_type warning",
                        "listener " + port + " 127.0.0.1",
                        "cafile " + pki.resolve("root-ca.pem"),
                        "certfile " + pki.resolve("server.pem"),
                        "keyfile " + pki.resolve("server.key"),
                        "require_certificate true",
                        ""));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + conf + ": " + e.getMessage(), e);
            }
            return ServerProcess.startListening(label(), List.of(binary.toString(), "-c", conf.toString()), ws.log("mosquitto"), port,
                    Duration.ofSeconds(30));
        }
    };

    private static ServerProcess startHub(BenchSystem system, BenchWorkspace ws, int devices, String throttle, int port, String mode,
                                          String... engines) {
        Path data = ws.scratch(system.id());
        List<String> cmd = java(ws, system.id(), "-cp", System.getProperty("java.class.path"), HubBenchServer.class.getName(),
                ws.pki().dir().toString(), data.toString(), Integer.toString(port), BenchWorkspace.DEVICE_PREFIX,
                Integer.toString(devices), throttle, mode);
        cmd.addAll(List.of(engines));
        return ServerProcess.startControlled(system.label(), cmd, ws.log(system.id()), Duration.ofMinutes(2));
    }

    /** The same heap limit for both JVM servers. */
    private static final String SERVER_HEAP = "-Xmx4g";

    private final String label;
    private final boolean jvm;

    BenchSystem(String label, boolean jvm) {
        this.label = label;
        this.jvm = jvm;
    }

    abstract ServerProcess start(BenchWorkspace ws, int devices, String throttle, int port);

    String label() {
        return label;
    }

    String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** Whether the whole backend runs behind its hub: rows stored, publish → handler measured. */
    boolean pipeline() {
        return this == FLEETKIT_PIPELINE || this == FLEETKIT_KAFKA;
    }

    /** Whether its memory is a Java heap (measured after GC) rather than the resident set of a native process. */
    boolean jvm() {
        return jvm;
    }

    static BenchSystem parse(String text) {
        for (BenchSystem s : values()) {
            if (s.id().equals(text.trim().toLowerCase(Locale.ROOT))) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown system '" + text + "' (fleetkit, fleetkit-pipeline, fleetkit-kafka, hivemq, mosquitto)");
    }

    private static List<String> java(BenchWorkspace ws, String name, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add(SERVER_HEAP);
        cmd.addAll(ws.serverJvmOptions(name));
        cmd.addAll(List.of(args));
        return cmd;
    }

    private static Path mosquitto() {
        for (String dir : (System.getenv().getOrDefault("PATH", "") + File.pathSeparator + "/usr/sbin").split(File.pathSeparator)) {
            Path p = Path.of(dir, "mosquitto");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        throw new IllegalStateException("Mosquitto is not installed (no 'mosquitto' on the PATH or in /usr/sbin): apt-get install mosquitto,"
                + " or leave it out with --systems fleetkit,hivemq");
    }
}
