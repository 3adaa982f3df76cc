package org.corgipile.pg;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/** Synthetic tables for the integration tests, made with SQL (seeded, so every run sees the same data). */
final class TestTables {
    private TestTables() {
    }

    /**
     * A binary classification table stored clustered by label (all 0s, then all 1s): {@code rows} tuples,
     * {@code dims} features uniform in [-1, 1] shifted by +-0.25 per class, so about 91% is the best accuracy.
     */
    static void clustered(Connection c, String name, int rows, int dims, double seed) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + name);
            s.execute("SELECT setseed(" + seed + ")");
            s.execute("CREATE TABLE " + name + " AS SELECT i AS id, label, ARRAY(SELECT (random() * 2 - 1) + "
                    + "CASE WHEN label = 1 THEN 0.25 ELSE -0.25 END FROM generate_series(1, " + dims + ") k "
                    + "WHERE i > 0) AS features FROM (SELECT i, (random() < 0.5)::int AS label "
                    + "FROM generate_series(1, " + rows + ") i) s ORDER BY label, i");
            s.execute("VACUUM ANALYZE " + name);
        }
    }
}
