package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.RegistrationId;
import io.fleetkit.protocol.pki.CertificateIssuer;
import io.fleetkit.protocol.pki.FactoryBatch;
import io.fleetkit.protocol.pki.KeyAlgorithm;
import io.fleetkit.protocol.pki.PkiDirectory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** {@code fleetkit pki init|issue}: the factory's PKI on disk. */
@Command(name = "pki", mixinStandardHelpOptions = true,
        description = "A local factory PKI: root and intermediate CA, server certificate, device identities.",
        subcommands = {PkiCommand.Init.class, PkiCommand.Issue.class})
final class PkiCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    @Command(name = "init", mixinStandardHelpOptions = true,
            description = {"Create a root CA, an intermediate CA and a TLS server certificate in a directory:",
                    "  root-ca.pem|.key, intermediate-ca.pem|.key, server.pem|.key, devices/",
                    "An existing PKI is never overwritten."})
    static final class Init implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "where to create the PKI")
        Path dir;

        @Option(names = "--san", paramLabel = "NAME", split = ",",
                description = "server certificate subject alternative names (IP or DNS), default: ${DEFAULT-VALUE}",
                defaultValue = "127.0.0.1,localhost")
        List<String> sans;

        @Override
        public void run() {
            PrintWriter out = spec.commandLine().getOut();
            PkiDirectory pki = PkiDirectory.init(dir, sans, new CertificateIssuer());
            out.println("created a PKI in " + pki.dir());
            out.println("  root CA          " + pki.dir().resolve("root-ca.pem"));
            out.println("  intermediate CA  " + pki.dir().resolve("intermediate-ca.pem"));
            out.println("  server           " + pki.dir().resolve("server.pem") + " (SANs " + String.join(", ", sans) + ")");
            out.println("next: fleetkit pki issue --dir " + dir + " --count 100");
        }
    }

    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = {"Issue device identities signed by the intermediate CA, on all cores:",
                    "  devices/{id}.pem (leaf + intermediate) and devices/{id}.key (PKCS#8 PEM).",
                    "Ids are PREFIX + a number with at least 5 digits; numbering continues after the highest existing id."})
    static final class Issue implements Runnable {
        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "a PKI made by 'pki init'")
        Path dir;

        @Option(names = "--count", required = true, paramLabel = "N", description = "how many devices (1–1000000)")
        int count;

        @Option(names = "--prefix", paramLabel = "PREFIX", defaultValue = "dev-",
                description = "registration id prefix: lower-case letters, digits, - . _ : (default: ${DEFAULT-VALUE})")
        String prefix;

        @Option(names = "--first", paramLabel = "NUMBER", description = "first number (default: after the highest existing)")
        Integer first;

        @Option(names = "--key", paramLabel = "ALGORITHM", defaultValue = "ec-p256",
                description = "device key type: ec-p256 or rsa-2048 (default: ${DEFAULT-VALUE})")
        String key;

        @Option(names = "--threads", paramLabel = "N", description = "worker threads (default: the number of cores)")
        Integer threads;

        @Override
        public void run() {
            CommandLine cli = spec.commandLine();
            if (count < 1 || count > 1_000_000) {
                throw new CommandLine.ParameterException(cli, "--count must be 1–1000000, was " + count);
            }
            KeyAlgorithm algorithm;
            try {
                algorithm = KeyAlgorithm.parse(key);
            } catch (IllegalArgumentException e) {
                throw new CommandLine.ParameterException(cli, "--key: " + e.getMessage());
            }
            int workers = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (workers < 1 || workers > 256) {
                throw new CommandLine.ParameterException(cli, "--threads must be 1–256, was " + workers);
            }
            PkiDirectory pki = PkiDirectory.load(dir);
            List<RegistrationId> existing = pki.deviceIds();
            int start = first != null ? first : nextNumber(existing, prefix);
            List<RegistrationId> ids;
            try {
                ids = FactoryBatch.ids(prefix, start, count);
            } catch (IllegalArgumentException | ProtocolException e) {
                throw new CommandLine.ParameterException(cli, "--prefix: " + e.getMessage());
            }
            java.util.Set<RegistrationId> taken = new java.util.HashSet<>(existing);
            List<RegistrationId> clash = ids.stream().filter(taken::contains).limit(1).toList();
            if (!clash.isEmpty()) {
                throw new IllegalStateException(clash.get(0).value() + " already exists in " + pki.devicesDir()
                        + "; leave out --first to continue after the highest existing number");
            }
            Progress progress = new Progress(cli.getErr(), "issuing");
            FactoryBatch.Stats stats = FactoryBatch.issueInto(pki, new CertificateIssuer(), ids, algorithm, workers, progress::update);
            cli.getOut().printf("issued %d %s device identities (%s … %s) in %.2f s: %.0f certificates/s on %d threads, into %s%n",
                    stats.issued(), algorithm == KeyAlgorithm.EC_P256 ? "EC P-256" : "RSA-2048",
                    ids.get(0).value(), ids.get(ids.size() - 1).value(), stats.elapsed().toNanos() / 1e9,
                    stats.certificatesPerSecond(), workers, pki.devicesDir());
        }

        static int nextNumber(List<RegistrationId> existing, String prefix) {
            Pattern p = Pattern.compile(Pattern.quote(prefix) + "([0-9]+)");
            int max = 0;
            for (RegistrationId id : existing) {
                Matcher m = p.matcher(id.value());
                if (m.matches() && m.group(1).length() < 10) {
                    max = Math.max(max, Integer.parseInt(m.group(1)));
                }
            }
            return max + 1;
        }
    }
}
