package org.corgipile.cli;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;

import picocli.CommandLine;
import picocli.CommandLine.Option;

/**
 * Where the database is, for every corgipile command line (corgipile, corgipile dataset, the benchmarks that take
 * a database): {@code --url}, {@code --user}, {@code --password}. Mixed into each command with {@code @Mixin}; the
 * URL defaults to the local cluster, whose URL the launcher passes as the system property
 * {@value #LOCAL_URL_PROPERTY}.
 */
public final class DatabaseOptions {
    /** System property the launcher sets to the local cluster's JDBC URL. */
    public static final String LOCAL_URL_PROPERTY = "corgipile.local.url";

    /** The command this is mixed into, whose usage error a missing database is. */
    @CommandLine.Spec(CommandLine.Spec.Target.MIXEE)
    CommandLine.Model.CommandSpec command;

    @Option(names = "--url", paramLabel = "JDBC_URL", converter = JdbcUrl.class,
            description = "JDBC URL of the database, e.g. jdbc:postgresql://host:5432/db?user=me "
                    + "(default: the local cluster of ./corgipile db, system property " + LOCAL_URL_PROPERTY + ")")
    String url;

    @Option(names = "--user", paramLabel = "USER", description = "database user (overrides the URL's)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", defaultValue = "${env:PGPASSWORD}",
            description = "database password (default: environment variable PGPASSWORD)")
    String password;

    /**
     * {@code --url} is checked when the command line is parsed: one that is not a PostgreSQL JDBC URL the driver can
     * read is a malformed argument, a usage error ({@link ExitCodes#USAGE}) like any other, not a database error.
     */
    static final class JdbcUrl implements CommandLine.ITypeConverter<String> {
        @Override
        public String convert(String value) {
            if (!value.startsWith("jdbc:postgresql:") || org.postgresql.Driver.parseURL(value, null) == null) {
                throw new CommandLine.TypeConversionException("not a PostgreSQL JDBC URL like "
                        + "jdbc:postgresql://HOST:PORT/DB?user=USER: '" + value + "'");
            }
            return value;
        }
    }

    /**
     * The JDBC URL given, or the local cluster's. Neither (the jar run without the launcher and without
     * {@code --url}) is a missing argument: a usage error ({@link ExitCodes#USAGE}) of the command, reported by
     * picocli's parameter exception handler ({@link UsageErrors}), not a database that cannot be reached (2).
     */
    public String resolvedUrl() throws SQLException {
        String u = url != null ? url : System.getProperty(LOCAL_URL_PROPERTY);
        if (u == null || u.isBlank()) {
            String message = "no database given: pass --url jdbc:postgresql://HOST:PORT/DB?user=USER, or run "
                    + "through ./corgipile so that the local cluster is the default";
            if (command == null) {      // not on a command line (a test, a benchmark's own options)
                throw new SQLException(message, "08001");
            }
            throw new CommandLine.ParameterException(command.commandLine(), message);
        }
        if (!u.startsWith("jdbc:postgresql:")) {
            throw new SQLException("--url must be a PostgreSQL JDBC URL starting with jdbc:postgresql:, got " + u,
                    "08001");
        }
        return u;
    }

    public DataSource dataSource() throws SQLException {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(resolvedUrl());
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null && !password.isEmpty()) {
            ds.setPassword(password);
        }
        ds.setApplicationName("corgipile-cli");
        return ds;
    }

    public Connection connect() throws SQLException {
        return dataSource().getConnection();
    }
}
