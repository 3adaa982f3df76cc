package org.corgipile.bench.data;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;

import org.corgipile.bench.io.Processes;

/**
 * Physical layouts of a training table, as in the paper: {@code clustered} = sorted by label (the hard case for
 * SGD without a shuffle), {@code shuffled} = {@code ORDER BY random()} under a fixed seed. Each table is vacuumed
 * (hint bits and visibility map set, so later scans only read) and analysed, then a checkpoint writes it out.
 */
public final class TableLayouts {
    public static final String CLUSTERED = "clustered";
    public static final String SHUFFLED = "shuffled";

    private TableLayouts() {
    }

    public static void validate(String layout) {
        if (!CLUSTERED.equals(layout) && !SHUFFLED.equals(layout)) {
            throw new IllegalArgumentException("unknown layout '" + layout + "'; allowed: clustered, shuffled");
        }
    }

    /** Creates {@code target} from the rows {@code id <= trainRows} of {@code source} in the given layout. */
    public static void createTrain(Connection c, String source, String target, String layout, long trainRows,
                                   long seed) throws SQLException {
        validate(layout);
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + target);
            if (SHUFFLED.equals(layout)) {
                s.execute(String.format(Locale.ROOT, "SELECT setseed(%s)", seedFraction(seed)));
            }
            s.execute("CREATE TABLE " + target + " AS SELECT id, label, features FROM " + source + " WHERE id <= "
                    + trainRows + (CLUSTERED.equals(layout) ? " ORDER BY label, id" : " ORDER BY random()"));
        }
        settle(c, target);
    }

    /** Creates {@code target} from the rows {@code id > trainRows} of {@code source}, in id order. */
    public static void createTest(Connection c, String source, String target, long trainRows) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + target);
            s.execute("CREATE TABLE " + target + " AS SELECT id, label, features FROM " + source + " WHERE id > "
                    + trainRows + " ORDER BY id");
        }
        settle(c, target);
    }

    /**
     * Rewrites the label and features columns of {@code source} into {@code target} in shuffle_once's order, with
     * the one implementation train_sgd and the client use ({@code corgipile.shuffle_once_copy}: Bismarck's
     * shuffle-once, MADlib's manual shuffle), so a seed gives the benchmark the data order it gives train_sgd.
     * Returns the seconds the copy took, which count as the strategy's preparation time, and the bytes the copying
     * backend wrote meanwhile ({@link Processes#writeBytes}: the new table, its WAL and the sort's temporary files).
     */
    public static Rewrite shuffleOnce(Connection c, String source, String target, long seed) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.execute("DROP TABLE IF EXISTS " + target);
        }
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT corgipile.shuffle_once_copy(?::regclass, 'label', 'features', ?, ?)")) {
            ps.setString(1, source);
            ps.setLong(2, seed);
            ps.setString(3, target);
            long pid = Processes.backendPid(c);
            long w0 = Processes.writeBytes(pid);
            long t0 = System.nanoTime();
            ps.execute();
            double seconds = (System.nanoTime() - t0) / 1e9;
            long w1 = Processes.writeBytes(pid);
            settle(c, target);
            return new Rewrite(seconds, w0 < 0 || w1 < 0 ? -1 : w1 - w0);
        }
    }

    /** The shuffle-once copy: its time and the bytes it wrote (-1 when they could not be read). */
    public record Rewrite(double seconds, long bytesWritten) {
    }

    /** VACUUM (FREEZE, ANALYZE) and CHECKPOINT: later reads of the table never write. */
    public static void settle(Connection c, String table) throws SQLException {
        boolean ac = c.getAutoCommit();
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("VACUUM (FREEZE, ANALYZE) " + table);
            s.execute("CHECKPOINT");
        } finally {
            c.setAutoCommit(ac);
        }
    }

    /** setseed() takes a value in [-1, 1]. */
    static String seedFraction(long seed) {
        return Double.toString((Math.floorMod(seed, 2_000_001L) - 1_000_000L) / 1_000_000.0);
    }
}
