package org.corgipile.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** Runs only where a Docker engine is reachable; skips cleanly elsewhere. */
@Testcontainers(disabledWithoutDocker = true)
class ContainerHarnessIT {
    @Container
    static final PostgreSQLContainer<?> PG = PostgresContainers.postgres15();

    @Test
    void stockImageAnswers() throws Exception {
        try (Connection c = PostgresContainers.dataSource(PG).getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT current_setting('server_version_num')::int / 10000")) {
            assertTrue(rs.next());
            assertEquals(15, rs.getInt(1));
        }
    }
}
