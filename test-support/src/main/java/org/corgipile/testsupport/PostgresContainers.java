package org.corgipile.testsupport;

import javax.sql.DataSource;

import org.postgresql.ds.PGSimpleDataSource;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers variant of the harness, for machines with a Docker engine: the stock {@code postgres:15}
 * image. Test classes using it must be annotated {@code @Testcontainers(disabledWithoutDocker = true)} so they skip
 * cleanly where there is no Docker (as on the project's CI machines). The stock image has no corgipile extension:
 * it is what client-side training over plain JDBC is for.
 */
public final class PostgresContainers {
    private PostgresContainers() {
    }

    /** A not-yet-started {@code postgres:15} container with fsync off. */
    public static PostgreSQLContainer<?> postgres15() {
        return new PostgreSQLContainer<>(DockerImageName.parse("postgres:15"))
                .withCommand("postgres", "-c", "fsync=off", "-c", "synchronous_commit=off");
    }

    public static DataSource dataSource(PostgreSQLContainer<?> container) {
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setUrl(container.getJdbcUrl());
        ds.setUser(container.getUsername());
        ds.setPassword(container.getPassword());
        return ds;
    }
}
