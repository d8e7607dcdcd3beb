package io.fleetkit.cli;

import io.fleetkit.backend.api.DevTokenIssuer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.time.Duration;

/** {@code fleetkit token}: a bearer token from the dev issuer that {@code fleetkit serve} with the same data directory trusts. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Mint a bearer token (JWT) for the REST API from the local dev issuer.",
                "The issuer's key lives in DIR/dev-issuer.jwk (made on first use); 'fleetkit serve --data DIR' trusts it.",
                "For local work only: a real deployment verifies tokens of its identity provider."},
        footer = {"", "Example:", "  curl -H \"Authorization: Bearer $(fleetkit token --user alice)\" http://127.0.0.1:8080/api/v1/devices"})
final class TokenCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @CommandLine.ArgGroup(multiplicity = "1")
    Who who;

    static final class Who {
        @Option(names = "--user", paramLabel = "ID", required = true, description = "an app user: sees and commands only devices they own")
        String user;

        @Option(names = "--admin", required = true, description = "an operator (scope fleet.admin): sees and commands every device")
        boolean admin;
    }

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "fleetkit-data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path data;

    @Option(names = "--valid", paramLabel = "TIME", converter = DurationConverter.class, defaultValue = "12h",
            description = "how long the token is valid, e.g. 30m or 7d (default: ${DEFAULT-VALUE})")
    Duration valid;

    @Override
    public void run() {
        CommandLine cli = spec.commandLine();
        if (valid.isNegative() || valid.isZero()) {
            throw new CommandLine.ParameterException(cli, "--valid must be positive, was " + valid);
        }
        String subject = who.admin ? "operator" : who.user;
        if (subject.isBlank() || subject.length() > 256) {
            throw new CommandLine.ParameterException(cli, "--user must be 1–256 characters");
        }
        DevTokenIssuer issuer = DevTokenIssuer.loadOrCreate(data.resolve("dev-issuer.jwk"));
        cli.getOut().println(issuer.mint(subject, who.admin, valid));
        cli.getOut().flush();
    }
}
