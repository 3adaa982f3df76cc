package org.corgipile.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

/** The database a {@link PostgresTest} class runs in: one fresh database per test class. */
public record TestDatabase(PgCluster cluster, String name, DataSource dataSource) {
    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    public String jdbcUrl() {
        return cluster.jdbcUrl(name);
    }
}
