package org.corgipile.testsupport;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;

import javax.sql.DataSource;

import org.junit.jupiter.api.Test;
import org.junit.platform.testkit.engine.EngineTestKit;

/** A failing test must print the tail of the server log; run a deliberately failing class and look at stderr. */
class FailureLogIT {

    @PostgresTest
    static class DeliberatelyFailing {
        @Test
        void failsAfterAServerError(DataSource ds) throws Exception {
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("SELECT * FROM table_that_does_not_exist_42");
            }
        }
    }

    @Test
    void failedTestPrintsServerLogTail() {
        PrintStream saved = System.err;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            EngineTestKit.engine("junit-jupiter")
                    .configurationParameter("junit.jupiter.conditions.deactivate", "*")
                    .selectors(selectClass(DeliberatelyFailing.class))
                    .execute()
                    .testEvents()
                    .assertStatistics(stats -> stats.started(1).failed(1));
        } finally {
            System.setErr(saved);
        }
        String err = captured.toString(StandardCharsets.UTF_8);
        assertTrue(err.contains("PostgreSQL server log"), err);
        // the server logged the failing statement's error with its SQLSTATE (42P01, undefined_table)
        assertTrue(err.contains("42P01") && err.contains("table_that_does_not_exist_42"), err);
    }
}
