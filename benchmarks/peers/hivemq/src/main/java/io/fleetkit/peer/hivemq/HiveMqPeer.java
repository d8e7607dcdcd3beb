package io.fleetkit.peer.hivemq;

import com.hivemq.embedded.EmbeddedHiveMQ;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * HiveMQ CE as a peer of {@code fleetkit bench}, in its own JVM: one TLS listener on 127.0.0.1
 * that requires a client certificate from the given trust store, in-memory persistence, usage
 * statistics off; everything else as HiveMQ ships it.
 *
 * <p>Arguments: {@code WORK-DIR PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD}. Prints {@code READY <port>}
 * on standard output once the listener is up, then answers commands read from standard input:
 * {@code heap} → {@code HEAP <bytes used after GC>}, {@code threads} → {@code THREADS <n>},
 * {@code quit}. HiveMQ's own log goes to standard error.
 */
public final class HiveMqPeer {
    private HiveMqPeer() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 5) {
            System.err.println("usage: HiveMqPeer WORK-DIR PORT KEYSTORE.p12 TRUSTSTORE.p12 PASSWORD");
            System.exit(2);
        }
        PrintStream control = System.out;
        System.setOut(System.err); // HiveMQ logs to the console: keep standard output for the control lines
        Path work = Path.of(args[0]);
        int port = Integer.parseInt(args[1]);
        Path conf = Files.createDirectories(work.resolve("conf"));
        Files.writeString(conf.resolve("config.xml"), config(port, Path.of(args[2]), Path.of(args[3]), args[4]));
        try (EmbeddedHiveMQ hivemq = EmbeddedHiveMQ.builder()
                .withConfigurationFolder(conf)
                .withDataFolder(Files.createDirectories(work.resolve("data")))
                .withExtensionsFolder(Files.createDirectories(work.resolve("extensions")))
                .build()) {
            hivemq.start().get(60, TimeUnit.SECONDS);
            control.println("READY " + port);
            control.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            String line;
            while ((line = in.readLine()) != null) {
                switch (line.trim()) {
                    case "heap" -> control.println("HEAP " + usedHeapAfterGc());
                    case "threads" -> control.println("THREADS " + Thread.activeCount());
                    case "quit" -> {
                        hivemq.stop().get(30, TimeUnit.SECONDS);
                        return;
                    }
                    default -> control.println("ERROR unknown command '" + line + "' (heap, threads, quit)");
                }
                control.flush();
            }
        } finally {
            System.exit(0); // HiveMQ leaves non-daemon threads behind
        }
    }

    private static String config(int port, Path keystore, Path truststore, String password) {
        return """
                <?xml version="1.0"?>
                <hivemq>
                    <listeners>
                        <tls-tcp-listener>
                            <port>%d</port>
                            <bind-address>127.0.0.1</bind-address>
                            <tls>
                                <keystore>
                                    <path>%s</path>
                                    <password>%s</password>
                                    <private-key-password>%s</private-key-password>
                                </keystore>
                                <truststore>
                                    <path>%s</path>
                                    <password>%s</password>
                                </truststore>
                                <protocols>
                                    <protocol>TLSv1.3</protocol>
                                    <protocol>TLSv1.2</protocol>
                                </protocols>
                                <client-authentication-mode>REQUIRED</client-authentication-mode>
                            </tls>
                        </tls-tcp-listener>
                    </listeners>
                    <persistence>
                        <mode>in-memory</mode>
                    </persistence>
                    <anonymous-usage-statistics>
                        <enabled>false</enabled>
                    </anonymous-usage-statistics>
                </hivemq>
                """.formatted(port, keystore.toAbsolutePath(), password, password, truststore.toAbsolutePath(), password);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
