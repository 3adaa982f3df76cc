package org.corgipile.bench.data;

import java.io.IOException;
import java.io.Reader;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

import org.postgresql.PGConnection;

/**
 * The benchmark's built-in generator: {@code rows} training plus {@code testRows} test tuples with {@code dims}
 * standard-normal features and a 0/1 label drawn from a logistic model {@code P(y=1|x) = sigmoid(w.x)} with
 * {@code |w| = 2}, so the best achievable accuracy is about 80% and the label is informative but noisy, like the
 * paper's dense sets (higgs, susy). Generated in this JVM from a seed and written with COPY, so the same seed gives
 * the same table on every machine.
 *
 * <p>Creates {@code <name>_all(id bigint, label int, features float8[])}; {@link TableLayouts} derives the
 * clustered and shuffled training tables and the test table from it.
 */
public final class SyntheticDataset {
    public static final String NAME = "synthetic";

    private final int dims;
    private final long seed;

    public SyntheticDataset(int dims, long seed) {
        if (dims < 1 || dims > 10_000) {
            throw new IllegalArgumentException("dims must be in [1, 10000], got " + dims);
        }
        this.dims = dims;
        this.seed = seed;
    }

    public int dims() {
        return dims;
    }

    /** Creates and fills {@code table} with {@code total} rows; ids 1..total. */
    public void load(Connection c, String table, long total) throws SQLException {
        if (total < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + total);
        }
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + table);
            s.execute("CREATE TABLE " + table + " (id bigint NOT NULL, label int NOT NULL, features float8[] NOT NULL)");
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] w = new double[dims];
        double norm = 0;
        for (int j = 0; j < dims; j++) {
            w[j] = rnd.nextDouble() * 2 - 1;
            norm += w[j] * w[j];
        }
        double scale = 2 / Math.sqrt(norm);
        for (int j = 0; j < dims; j++) {
            w[j] *= scale;
        }
        try {
            c.unwrap(PGConnection.class).getCopyAPI().copyIn("COPY " + table + " (id, label, features) FROM STDIN",
                    new RowsReader(rnd, w, total));
        } catch (IOException e) {
            throw new SQLException("COPY into " + table + " failed: " + e.getMessage(), e);
        }
    }

    /** Produces the COPY text lazily so a large table never sits in memory. */
    private static final class RowsReader extends Reader {
        private final SplittableRandom rnd;
        private final double[] w;
        private final long total;
        private long next = 1;
        private final StringBuilder line = new StringBuilder(1024);
        private int pos;

        RowsReader(SplittableRandom rnd, double[] w, long total) {
            this.rnd = rnd;
            this.w = w;
            this.total = total;
        }

        @Override
        public int read(char[] buf, int off, int len) {
            if (pos == line.length()) {
                if (next > total) {
                    return -1;
                }
                fill();
            }
            int n = Math.min(len, line.length() - pos);
            line.getChars(pos, pos + n, buf, off);
            pos += n;
            return n;
        }

        private void fill() {
            line.setLength(0);
            pos = 0;
            double z = 0;
            StringBuilder f = new StringBuilder(w.length * 20).append('{');
            for (int j = 0; j < w.length; j++) {
                double x = gaussian();
                z += w[j] * x;
                if (j > 0) {
                    f.append(',');
                }
                f.append((float) x);
            }
            f.append('}');
            int label = rnd.nextDouble() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
            line.append(next++).append('\t').append(label).append('\t').append(f).append('\n');
        }

        private double gaussian() {
            double u1 = 1 - rnd.nextDouble();
            double u2 = rnd.nextDouble();
            return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
        }

        @Override
        public void close() {
        }
    }
}
