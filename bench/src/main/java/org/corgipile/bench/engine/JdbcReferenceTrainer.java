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

    @Override
    public String name() {
        return "jdbc-reference";
    }

    @Override
    public boolean hooksEveryEpoch() {
        return true;
    }

    /** Plans both queries once so catalog reads fall outside the timed epochs. */
    @Override
    public void warmUp(Connection c, TrainRequest r) throws SQLException {
        String cols = "SELECT " + JdbcTupleOrder.quote(r.label()) + ", " + JdbcTupleOrder.quote(r.features());
        try (Statement s = c.createStatement()) {
            s.execute("EXPLAIN " + cols + " FROM " + r.table() + " WHERE ctid >= '(0,0)'::tid");
            s.execute("EXPLAIN " + cols + " FROM " + r.testTable());
        }
    }

    @Override
    public List<EpochResult> train(Connection c, TrainRequest r, EpochHook hook) throws SQLException {
        boolean autoCommit = c.getAutoCommit();
        c.setAutoCommit(false); // server-side cursors need a transaction
        try {
            long[] shape = shape(c, r.table());
            JdbcTupleOrder order = new JdbcTupleOrder(c, r, shape[0], shape[1]);
            Logistic model = new Logistic();
            List<EpochResult> out = new ArrayList<>();
            double lr = r.learningRate();
            for (int epoch = 1; epoch <= r.epochs(); epoch++) {
                hook.beforeEpoch(epoch);
                Metrics train = new Metrics();
                double rate = lr;
                long t0 = System.nanoTime();
                order.epoch(epoch, (label, x) -> {
                    double y = label > 0 ? 1 : 0;
                    double p = model.probability(x);
                    train.add(y, p);
                    model.step(x, y, p, rate);
                });
                double seconds = (System.nanoTime() - t0) / 1e9;
                c.commit();
                Metrics test = new Metrics();
                JdbcRows.stream(c, "SELECT " + JdbcTupleOrder.quote(r.label()) + ", "
                        + JdbcTupleOrder.quote(r.features()) + " FROM " + r.testTable(),
                        (label, x) -> test.add(label > 0 ? 1 : 0, model.probability(x)));
                c.commit();
                out.add(new EpochResult(epoch, seconds, train.loss(), train.accuracy(), test.loss(),
                        test.accuracy(), rate, train.n));
                lr *= r.decay();
            }
            return out;
        } finally {
            c.rollback();
            c.setAutoCommit(autoCommit);
        }
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
