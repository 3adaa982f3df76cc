package org.corgipile.datasets.cli;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import picocli.CommandLine.Option;

/** {@code --url}: the JDBC URL, defaulting to the local cluster the launcher passes as {@code corgipile.local.url}. */
final class DatabaseOptions {
    @Option(names = "--url", paramLabel = "JDBC",
            description = "JDBC URL of the database (default: the local cluster, system property corgipile.local.url)")
    String url;

    Connection connect() throws SQLException {
        String u = url != null ? url : System.getProperty("corgipile.local.url");
        if (u == null || u.isBlank()) {
            throw new IllegalArgumentException("no database: pass --url jdbc:postgresql://HOST:PORT/DB?user=U, or run "
                    + "through ./corgipile (it passes the local cluster's URL)");
        }
        return DriverManager.getConnection(u);
    }
}
