package io.fleetkit.cli;

import io.fleetkit.protocol.ProtocolException;
import io.fleetkit.protocol.id.IdScope;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** The options that say where a device provisions: {@code --target HOST:PORT} (the DPS endpoint) and {@code --id-scope}. */
final class DpsTarget {
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--target", paramLabel = "HOST:PORT", defaultValue = "127.0.0.1:8883",
            description = "the DPS endpoint; the hub is the one DPS assigns (default: ${DEFAULT-VALUE})")
    String target = "127.0.0.1:8883";

    @Option(names = "--id-scope", paramLabel = "SCOPE", defaultValue = "0ne00000001", description = "DPS id scope (default: ${DEFAULT-VALUE})")
    String idScope = "0ne00000001";

    String host() {
        return target.substring(0, colon());
    }

    int port() {
        String port = target.substring(colon() + 1);
        try {
            int p = Integer.parseInt(port);
            if (p < 1 || p > 65535) {
                throw new NumberFormatException();
            }
            return p;
        } catch (NumberFormatException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target: '" + port + "' is not a port number (1–65535)");
        }
    }

    IdScope scope() {
        try {
            return IdScope.of(idScope);
        } catch (ProtocolException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--id-scope: " + e.getMessage());
        }
    }

    private int colon() {
        int colon = target.lastIndexOf(':');
        if (colon <= 0) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--target must be HOST:PORT, was '" + target + "'");
        }
        return colon;
    }
}
