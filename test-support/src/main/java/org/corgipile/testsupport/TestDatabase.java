package org.corgipile.testsupport;

import java.sql.Connection;
import java.sql.SQLException;

import javax.sql.DataSource;

import org.corgipile.cluster.LocalCluster;

/** The database a {@link PostgresTest} class runs in: one fresh database per test class. */
public record TestDatabase(LocalCluster cluster, String name, DataSource dataSource) {
    public Connection connect() throws SQLException {
        return dataSource.getConnection();
    }

    public String jdbcUrl() {
        return cluster.jdbcUrl(name);
    }
}
