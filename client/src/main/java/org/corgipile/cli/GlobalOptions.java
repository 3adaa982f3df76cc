package org.corgipile.cli;

import java.sql.SQLException;

import javax.sql.DataSource;

import org.corgipile.client.CorgiPile;
import org.postgresql.ds.PGSimpleDataSource;

import picocli.CommandLine.Option;

/**
 * Options every command shares: where the database is, and how much to say when something fails. Mixed into each
 * command with {@code @Mixin}.
 */
final class GlobalOptions {
    /** System property the launcher sets to the local cluster's JDBC URL. */
    static final String LOCAL_URL_PROPERTY = "corgipile.local.url";

    @Option(names = "--url", paramLabel = "JDBC_URL",
            description = "JDBC URL of the database, e.g. jdbc:postgresql://host:5432/db?user=me "
                    + "(default: the local cluster of ./corgipile db, system property " + LOCAL_URL_PROPERTY + ")")
    String url;

    @Option(names = "--user", paramLabel = "USER", description = "database user (overrides the URL's)")
    String user;

    @Option(names = "--password", paramLabel = "PASSWORD", defaultValue = "${env:PGPASSWORD}",
            description = "database password (default: environment variable PGPASSWORD)")
    String password;

    @Option(names = {"-v", "--verbose"}, description = "print stack traces of errors")
    boolean verbose;

    String resolvedUrl() throws SQLException {
        String u = url != null ? url : System.getProperty(LOCAL_URL_PROPERTY);
        if (u == null || u.isBlank()) {
            throw new SQLException("no database given: pass --url jdbc:postgresql://HOST:PORT/DB?user=USER, or "
                    + "run through ./corgipile so the local cluster is the default", "08001");
        }
        if (!u.startsWith("jdbc:postgresql:")) {
            throw new SQLException("--url must be a PostgreSQL JDBC URL starting with jdbc:postgresql:, got " + u,
                    "08001");
        }
        return u;
    }

    DataSource dataSource() throws SQLException {
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

    CorgiPile corgipile() throws SQLException {
        return CorgiPile.connect(dataSource());
    }
}
