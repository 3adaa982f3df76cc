package org.corgipile.client;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

import javax.sql.DataSource;

/**
 * Test data like the paper's "clustered" tables: a linearly separable-ish binary problem (label = sign of a fixed
 * linear function of 8 uniform features, 5% label noise), stored sorted by label — the hard case for SGD without a
 * shuffle. Deterministic (setseed).
 */
public final class ClusteredTable {
    private ClusteredTable() {
    }

    /** Creates {@code name} with {@code rows} rows: {@code id int, label int, features float8[8]}. */
    public static void create(DataSource ds, String name, int rows, double seed) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
            s.execute("SELECT setseed(" + seed + ")");
            s.execute("CREATE TABLE " + name + " AS "
                    + "WITH raw AS (SELECT g, ARRAY(SELECT random() * 2 - 1 FROM generate_series(1, 8) "
                    + "                            WHERE g > 0) AS f, random() AS noise "
                    + "             FROM generate_series(1, " + rows + ") AS g) "
                    + "SELECT g AS id, "
                    + "       CASE WHEN noise < 0.05 THEN (f[1] + 2 * f[2] - f[3] + 0.5 * f[4] - 0.2 <= 0)::int "
                    + "            ELSE (f[1] + 2 * f[2] - f[3] + 0.5 * f[4] - 0.2 > 0)::int END AS label, "
                    + "       f AS features "
                    + "FROM raw ORDER BY 2, 1");
            s.execute("ANALYZE " + name);
        }
    }
}
