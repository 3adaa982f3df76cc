package org.corgipile.cli;

import java.sql.SQLException;

import org.corgipile.client.CorgiPile;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Options every command shares: where the database is ({@link DatabaseOptions}, the same options as every corgipile
 * command line), and how much to say when something fails. Mixed into each command with {@code @Mixin}.
 */
final class GlobalOptions {
    @Mixin
    DatabaseOptions database;

    @Option(names = {"-v", "--verbose"}, description = "print stack traces of errors")
    boolean verbose;

    CorgiPile corgipile() throws SQLException {
        return CorgiPile.connect(database.dataSource());
    }
}
