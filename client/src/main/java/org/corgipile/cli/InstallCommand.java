package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/**
 * {@code corgipile install --url ...}: applies the project's Flyway migrations (schema {@code corgipile}, the models
 * catalog, the SQL functions) to a database that cannot or does not load the extension. Idempotent: a second run
 * applies nothing and says so.
 */
@Command(name = "install", mixinStandardHelpOptions = true,
        description = {"Create or upgrade corgipile's SQL objects (schema corgipile, the models catalog, SQL "
                + "functions) in a database, with Flyway migrations.",
            "Needed for client-mode training on servers without the extension. Running it again is a no-op."})
final class InstallCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    GlobalOptions global;

    @Override
    public Integer call() throws Exception {
        Flyway flyway = Flyway.configure(InstallCommand.class.getClassLoader())
                .dataSource(global.dataSource())
                .locations("classpath:db/migration")
                .load();
        MigrateResult r = flyway.migrate();
        PrintWriter out = spec.commandLine().getOut();
        if (r.migrationsExecuted == 0) {
            out.println("corgipile: already up to date at schema version " + r.initialSchemaVersion
                    + "; nothing to do");
        } else {
            out.println("corgipile: applied " + r.migrationsExecuted + " migration(s), schema version "
                    + (r.initialSchemaVersion == null ? "none" : r.initialSchemaVersion) + " -> "
                    + r.targetSchemaVersion);
        }
        out.flush();
        return ExitCodes.OK;
    }
}
