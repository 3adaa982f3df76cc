package org.corgipile.bench.engine;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.SplittableRandom;

/**
 * Produces one epoch of tuples over JDBC in the order of a strategy, reading the way the in-database operators
 * read: storage order with a sequential scan, blocks of consecutive pages with TID range scans
 * ({@code ctid >= '(b,0)' AND ctid < '(b+n,0)'}, PostgreSQL 14+), a full {@code ORDER BY random()} for the epoch
 * shuffle. Buffers hold decoded tuples in client memory.
 *
 * <ul>
 *   <li>{@code none}: storage order.</li>
 *   <li>{@code block_only}: a fresh random permutation of blocks every epoch, pages and tuples in order.</li>
 *   <li>{@code corgipile}: the same block order; whole blocks fill a buffer of {@code bufferFraction} of the
 *       table, which is emitted in a fresh Fisher-Yates permutation (new for every buffer and epoch).</li>
 *   <li>{@code epoch_shuffle}: {@code ORDER BY random()} every epoch (the server sorts the whole table).</li>
 *   <li>{@code sliding_window}: TensorFlow's shuffle buffer over storage order: each incoming tuple replaces a
 *       random slot whose tuple is emitted; the rest is emitted shuffled at the end.</li>
 *   <li>{@code mrs}: Bismarck's multiplexed reservoir sampling over storage order: a reservoir sample of the stream
 *       is kept in the buffer; the tuple that is not kept (the incoming one or the one it evicts) is emitted, and
 *       each step is multiplexed with one tuple drawn from the reservoir, as Bismarck's second thread does.</li>
 * </ul>
 */
final class JdbcTupleOrder {
    private final Connection connection;
    private final TrainRequest request;
    private final long pages;
    private final int bufferTuples;

    JdbcTupleOrder(Connection connection, TrainRequest request, long pages, long rows) {
        this.connection = connection;
        this.request = request;
        this.pages = pages;
        this.bufferTuples = (int) Math.max(1, Math.min(Integer.MAX_VALUE - 8,
                Math.round(request.bufferFraction() * rows)));
    }

    void epoch(int epoch, RowSink sink) throws SQLException {
        SplittableRandom rnd = new SplittableRandom(request.seed() * 1_000_003L + epoch);
        String cols = "SELECT " + quote(request.label()) + ", " + quote(request.features()) + " FROM "
                + request.table();
        switch (request.strategy()) {
            case NONE -> JdbcRows.stream(connection, cols, sink);
            case EPOCH_SHUFFLE -> {
                JdbcRows.execute(connection, "SELECT setseed(?)", seedFraction(rnd));
                JdbcRows.stream(connection, cols + " ORDER BY random()", sink);
            }
            case BLOCK_ONLY -> blocks(cols, rnd, sink);
            case CORGIPILE -> {
                Buffer buffer = new Buffer(bufferTuples);
                blocks(cols, rnd, (l, f) -> {
                    buffer.add(l, f);
                    if (buffer.size() >= bufferTuples) {
                        buffer.drainShuffled(rnd, sink);
                    }
                });
                buffer.drainShuffled(rnd, sink);
            }
            case SLIDING_WINDOW -> {
                Buffer buffer = new Buffer(bufferTuples);
                JdbcRows.stream(connection, cols, (l, f) -> {
                    if (buffer.size() < bufferTuples) {
                        buffer.add(l, f);
                    } else {
                        int j = rnd.nextInt(bufferTuples);
                        sink.accept(buffer.labels[j], buffer.rows[j]);
                        buffer.labels[j] = l;
                        buffer.rows[j] = f;
                    }
                });
                buffer.drainShuffled(rnd, sink);
            }
            case MRS -> {
                Buffer reservoir = new Buffer(bufferTuples);
                long[] seen = {0};
                JdbcRows.stream(connection, cols, (l, f) -> {
                    seen[0]++;
                    if (reservoir.size() < bufferTuples) {
                        reservoir.add(l, f);
                        return;
                    }
                    long j = rnd.nextLong(seen[0]);
                    if (j < bufferTuples) {
                        int slot = (int) j;
                        sink.accept(reservoir.labels[slot], reservoir.rows[slot]);
                        reservoir.labels[slot] = l;
                        reservoir.rows[slot] = f;
                    } else {
                        sink.accept(l, f);
                    }
                    int k = rnd.nextInt(bufferTuples);
                    sink.accept(reservoir.labels[k], reservoir.rows[k]);
                });
                reservoir.drainShuffled(rnd, sink);
            }
            default -> throw new IllegalArgumentException("strategy " + request.strategy().sqlName()
                    + " is not a per-epoch order (shuffle_once is prepared by the runner)");
        }
    }

    private void blocks(String cols, SplittableRandom rnd, RowSink sink) throws SQLException {
        int nblocks = (int) Math.max(1, (pages + request.blockPages() - 1) / request.blockPages());
        int[] order = new int[nblocks];
        for (int i = 0; i < nblocks; i++) {
            order[i] = i;
        }
        shuffle(order, rnd);
        String sql = cols + " WHERE ctid >= ?::tid AND ctid < ?::tid";
        for (int b : order) {
            long first = (long) b * request.blockPages();
            long end = first + request.blockPages();
            // the last block keeps the pages the relation has beyond its size estimate (a larger end is harmless)
            String upper = b == nblocks - 1 ? "(4294967295,0)" : "(" + end + ",0)";
            JdbcRows.stream(connection, sql, sink, "(" + first + ",0)", upper);
        }
    }

    private static double seedFraction(SplittableRandom rnd) {
        return rnd.nextDouble() * 2 - 1;
    }

    static void shuffle(int[] a, SplittableRandom rnd) {
        for (int i = a.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
    }

    static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /** Decoded tuples held in client memory. */
    private static final class Buffer {
        double[] labels;
        double[][] rows;
        private int size;

        Buffer(int capacity) {
            int initial = Math.min(capacity, 1 << 16);
            labels = new double[initial];
            rows = new double[initial][];
        }

        int size() {
            return size;
        }

        void add(double label, double[] row) {
            if (size == labels.length) {
                int cap = labels.length * 2;
                labels = java.util.Arrays.copyOf(labels, cap);
                rows = java.util.Arrays.copyOf(rows, cap);
            }
            labels[size] = label;
            rows[size++] = row;
        }

        /** Emits the buffered tuples in a fresh random permutation and empties the buffer. */
        void drainShuffled(SplittableRandom rnd, RowSink sink) {
            for (int i = size - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                double tl = labels[i];
                labels[i] = labels[j];
                labels[j] = tl;
                double[] tr = rows[i];
                rows[i] = rows[j];
                rows[j] = tr;
            }
            for (int i = 0; i < size; i++) {
                sink.accept(labels[i], rows[i]);
                rows[i] = null;
            }
            size = 0;
        }
    }
}
