package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.corgipile.client.InstallResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code corgipile install --url ...}: applies the project's Flyway migrations (schema {@code corgipile}, the models
 * catalog, the SQL functions) to a database that cannot or does not load the extension. Idempotent: a second run
 * applies nothing and says so.
 */
@Command(name = "install", mixinStandardHelpOptions = true, exitCodeOnInvalidInput = ExitCodes.USAGE,
        description = {"Create or upgrade corgipile's SQL objects (schema corgipile, the models catalog, SQL "
                + "functions) in a database, with Flyway migrations.",
            "Needed for client-mode training on servers without the extension. Running it again is a no-op."})
final class InstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Override
    public Integer call() {
        return Failures.run(spec, global.verbose, this::execute);
    }

    private Integer execute() throws Exception {
        InstallResult r = global.corgipile().install();
        PrintWriter out = spec.commandLine().getOut();
        if (r.extension()) {
            out.println("corgipile: this database has the corgipile extension, which created the catalog; nothing "
                    + "to do");
        } else if (r.applied() == 0) {
            out.println("corgipile: already installed at schema version " + r.fromVersion() + "; nothing to do");
        } else {
            out.println("corgipile: applied " + r.applied() + " migration(s), schema version "
                    + (r.fromVersion() == null ? "none" : r.fromVersion()) + " -> " + r.toVersion());
        }
        out.flush();
        return ExitCodes.OK;
    }
}
