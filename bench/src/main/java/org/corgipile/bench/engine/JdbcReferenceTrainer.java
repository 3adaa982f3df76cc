package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * A stand-in engine for machines without the corgipile extension: per-tuple logistic-regression SGD in this JVM,
 * fed over JDBC in the order of the strategy ({@link JdbcTupleOrder}), with the same block and buffer parameters
 * as the in-database engine. It exists so the benchmark harness (device profiles, scan floor, baselines, report)
 * runs and is tested before and without the extension; its results are labelled {@code jdbc-reference} and its
 * per-epoch times include the loopback transfer and text decoding of every tuple, so they are an upper bound of
 * what the in-database engine needs.
 *
 * <p>Training loss and accuracy are measured prequentially (each tuple is scored before the update that uses
 * it), so no extra pass is needed; the test relation is scored after each epoch, outside the epoch's time.
 */
public final class JdbcReferenceTrainer implements TrainingEngine {

    /** Opens a new connection to the benchmark database. */
    @FunctionalInterface
    public interface Connector {
        Connection open() throws SQLException;
    }

    private final Connector perEpoch;

    /**
     * @param perEpoch when not null, every epoch streams its tuples over a new connection that is closed at the
     *                 epoch's end. The backend that read the table then exits and closes the table's files, which
     *                 is what lets a page-cache drop before the next epoch take effect (Linux keeps the cache of
     *                 open files). When null, every epoch uses the connection passed to {@link #train}.
     */
    public JdbcReferenceTrainer(Connector perEpoch) {
        this.perEpoch = perEpoch;
    }

    @Override
    public String name() {
        return "jdbc-reference";
    }

    @Override
    public boolean hooksEveryEpoch() {
        return true;
    }

    /**
     * Plans both queries once so catalog reads fall outside the timed epochs. With per-epoch connections the
     * training table is left alone here (planning it would open its files in this long-lived backend).
     */
    @Override
    public void warmUp(Connection c, TrainRequest r) throws SQLException {
        String cols = "SELECT " + JdbcTupleOrder.quote(r.label()) + ", " + JdbcTupleOrder.quote(r.features());
        try (Statement s = c.createStatement()) {
            if (perEpoch == null) {
                s.execute("EXPLAIN " + cols + " FROM " + r.table() + " WHERE ctid >= '(0,0)'::tid");
            }
            s.execute("EXPLAIN " + cols + " FROM " + r.testTable());
        }
    }

    @Override
    public List<EpochResult> train(Connection c, TrainRequest r, EpochHook hook) throws SQLException {
        long[] shape;
        if (perEpoch == null) {
            shape = shape(c, r.table());
        } else {
            try (Connection s = perEpoch.open()) {
                shape = shape(s, r.table());
            }
        }
        Logistic model = new Logistic();
        List<EpochResult> out = new ArrayList<>();
        double lr = r.learningRate();
        for (int epoch = 1; epoch <= r.epochs(); epoch++) {
            hook.beforeEpoch(epoch);
            Connection ec = perEpoch == null ? c : perEpoch.open();
            Metrics train = new Metrics();
            double rate = lr;
            double seconds;
            try {
                if (perEpoch != null) {
                    warmUp(ec, new TrainRequest(r.table(), r.table(), r.label(), r.features(), r.strategy(),
                            r.epochs(), r.learningRate(), r.decay(), r.seed(), r.blockPages(), r.bufferFraction(),
                            r.modelName(), r.engineOptions()));
                }
                seconds = inTransaction(ec, () -> {
                    JdbcTupleOrder order = new JdbcTupleOrder(ec, r, shape[0], shape[1]);
                    long t0 = System.nanoTime();
                    order.epoch(epoch(out), (label, x) -> {
                        double y = label > 0 ? 1 : 0;
                        double p = model.probability(x);
                        train.add(y, p);
                        model.step(x, y, p, rate);
                    });
                    return (System.nanoTime() - t0) / 1e9;
                });
            } finally {
                if (ec != c) {
                    ec.close();
                }
            }
            Metrics test = new Metrics();
            inTransaction(c, () -> {
                JdbcRows.stream(c, "SELECT " + JdbcTupleOrder.quote(r.label()) + ", "
                        + JdbcTupleOrder.quote(r.features()) + " FROM " + r.testTable(),
                        (label, x) -> test.add(label > 0 ? 1 : 0, model.probability(x)));
                return 0.0;
            });
            out.add(new EpochResult(epoch, seconds, train.loss(), train.accuracy(), test.loss(),
                    test.accuracy(), rate, train.n));
            lr *= r.decay();
        }
        return out;
    }

    private static int epoch(List<EpochResult> done) {
        return done.size() + 1;
    }

    /** Runs {@code work} in a transaction (server-side cursors need one) and restores auto-commit. */
    private static double inTransaction(Connection c, SqlWork work) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            double v = work.run();
            c.commit();
            return v;
        } finally {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
            c.setAutoCommit(autoCommit);
        }
    }

    @FunctionalInterface
    private interface SqlWork {
        double run() throws SQLException;
    }

    /** {pages, rows} from the catalog (the runner runs ANALYZE after loading). */
    private static long[] shape(Connection c, String table) throws SQLException {
        try (Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT pg_relation_size('" + table.replace("'", "''")
                     + "') / current_setting('block_size')::int, greatest(reltuples, 0)::bigint FROM pg_class"
                     + " WHERE oid = '" + table.replace("'", "''") + "'::regclass")) {
            rs.next();
            long pages = rs.getLong(1);
            long rows = rs.getLong(2);
            if (rows == 0 && pages > 0) {
                try (ResultSet cnt = s.executeQuery("SELECT count(*) FROM " + table)) {
                    cnt.next();
                    rows = cnt.getLong(1);
                }
            }
            return new long[] {pages, rows};
        }
    }

    /** Binary logistic regression with a bias, plain per-tuple SGD. */
    private static final class Logistic {
        private double[] w;
        private double b;

        double probability(double[] x) {
            if (w == null) {
                w = new double[x.length];
            } else if (x.length != w.length) {
                throw new IllegalArgumentException("features have " + x.length + " values, expected " + w.length);
            }
            double z = b;
            for (int i = 0; i < x.length; i++) {
                z += w[i] * x[i];
            }
            return 1 / (1 + Math.exp(-z));
        }

        void step(double[] x, double y, double p, double lr) {
            double g = p - y;
            for (int i = 0; i < x.length; i++) {
                w[i] -= lr * g * x[i];
            }
            b -= lr * g;
        }
    }

    /** Mean log loss and accuracy of a stream of (label, probability) pairs. */
    private static final class Metrics {
        private static final double EPS = 1e-12;
        long n;
        private double loss;
        private long correct;

        void add(double y, double p) {
            n++;
            loss -= y > 0 ? Math.log(Math.max(p, EPS)) : Math.log(Math.max(1 - p, EPS));
            if ((p >= 0.5) == (y > 0)) {
                correct++;
            }
        }

        double loss() {
            return n == 0 ? Double.NaN : loss / n;
        }

        double accuracy() {
            return n == 0 ? Double.NaN : (double) correct / n;
        }
    }
}
