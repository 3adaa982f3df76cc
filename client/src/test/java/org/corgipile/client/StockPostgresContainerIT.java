package org.corgipile.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

import org.corgipile.operators.TrainSpec;
import org.corgipile.testsupport.PostgresContainers;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Client mode against the stock {@code postgres:15} image — no extension, nothing installed on the server but what
 * {@link CorgiPile#install()} sends over JDBC: the managed-service case end to end. Runs only where a Docker engine
 * is reachable and skips cleanly elsewhere (as on the project's CI machines).
 */
@Testcontainers(disabledWithoutDocker = true)
class StockPostgresContainerIT {
    @Container
    static final PostgreSQLContainer<?> PG = PostgresContainers.postgres15();

    @Test
    void clientModeTrainsStoresAndPredictsOnAStockServer() throws SQLException {
        DataSource ds = PostgresContainers.dataSource(PG);
        CorgiPile cp = CorgiPile.connect(ds);
        assertFalse(cp.hasExtension());
        ClusteredTable.create(ds, "clustered", 10_000, 0.42);
        assertTrue(cp.install().applied() > 0);
        assertEquals(0, cp.install().applied(), "second install is a no-op");

        TrainingRun run = cp.train(TrainJob.on("clustered").mode(TrainMode.AUTO).modelName("stock_lr")
                .spec(TrainSpec.builder().epochs(3).learningRate(0.05).blockSize(1).bufferSize(0.2).seed(7)
                        .trainMetrics("pass")).build());
        assertEquals(TrainMode.CLIENT, run.mode());
        assertTrue(run.last().accuracy() > 0.88, "accuracy " + run.last().accuracy());
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT avg((corgipile.sql_predict('stock_lr', features) = label)::int) "
                     + "FROM clustered")) {
            assertTrue(rs.next());
            assertEquals(run.last().accuracy(), rs.getDouble(1), 1e-9, "SQL predictions = the last epoch's pass");
        }
    }
}
