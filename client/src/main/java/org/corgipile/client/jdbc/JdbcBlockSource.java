package org.corgipile.client.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Locale;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TupleBuffer;
import org.postgresql.PGConnection;
import org.postgresql.copy.PGCopyInputStream;

/**
 * A {@link BlockSource} over plain JDBC: each {@link #readPages} is one binary COPY of a TID range scan,
 * <pre>
 * COPY (SELECT ctid, label::float8, features::float8[] FROM t
 *       WHERE ctid &gt;= '(b,0)'::tid AND ctid &lt; '(b+n,0)'::tid) TO STDOUT (FORMAT binary)
 * </pre>
 * PostgreSQL 14+ plans that as a TID Range Scan: it reads exactly pages {@code [b, b+n)}, in page order and line
 * pointer order within a page, so client-side CorgiPile keeps the access pattern of the in-database one (random
 * block order, sequential pages inside a block). Binary COPY streams the rows without per-row protocol overhead and
 * without text parsing; {@link BinaryCopyReader} decodes them straight into the {@link TupleBuffer}.
 *
 * <p>Snapshot: the source runs its queries on the connection it is given and never commits. Open it inside a
 * {@code REPEATABLE READ} transaction ({@link #beginSnapshot}) so every epoch, and the validation pass, see the same
 * rows even while other sessions write to the table.
 *
 * <p>Tuple identity is the heap TID, {@code page << 16 | offset}, exactly as the in-database reader reports it.
 * Rows whose label or features are NULL (or hold a NULL element) are skipped and counted ({@link #skippedTuples});
 * NaN or infinite values and vectors of the wrong length are errors naming the row's ctid.
 */
public final class JdbcBlockSource implements BlockSource {
    private final Connection connection;
    private final RelationColumns relation;
    private final FeatureShape shape;
    private final long pageCount;
    private final String copyPrefix;
    private long skipped;
    private int[] scratchIndices = new int[64];
    private double[] scratchValues = new double[64];

    private JdbcBlockSource(Connection connection, RelationColumns relation, FeatureShape shape, long pageCount) {
        this.connection = connection;
        this.relation = relation;
        this.shape = shape;
        this.pageCount = pageCount;
        this.copyPrefix = "COPY (SELECT " + relation.selectList() + " FROM " + relation.qualifiedName() + " WHERE ";
    }

    /**
     * Starts a {@code REPEATABLE READ} transaction on {@code c} (auto-commit off) so that the sources opened on it
     * share one snapshot. The caller commits or rolls back.
     */
    public static void beginSnapshot(Connection c) throws SQLException {
        if (!c.getAutoCommit()) {
            c.rollback();
        }
        c.setAutoCommit(false);
        c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
    }

    /** Opens a source whose feature shape is read from the data ({@link RelationColumns#detectShape}). */
    public static JdbcBlockSource open(Connection c, RelationColumns relation) throws SQLException {
        return open(c, relation, relation.detectShape(c));
    }

    /**
     * Opens a source with a known shape, e.g. a validation relation that must match the training relation's
     * dimension.
     */
    public static JdbcBlockSource open(Connection c, RelationColumns relation, FeatureShape shape)
            throws SQLException {
        if (shape.sparse() != (relation.features().layout() == FeatureColumns.Layout.SPARSE)) {
            throw new CorgiPileException(CorgiPileException.INVALID_PARAMETER_VALUE, "features: "
                    + relation.qualifiedName() + " has "
                    + relation.features().layout().name().toLowerCase(Locale.ROOT)
                    + " features but a " + (shape.sparse() ? "sparse" : "dense") + " shape was asked for");
        }
        long pages;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT pg_relation_size(?::oid) / current_setting('block_size')::int")) {
            ps.setLong(1, relation.oid());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pages = rs.getLong(1);
            }
        }
        return new JdbcBlockSource(c, relation, shape, pages);
    }

    public RelationColumns relation() {
        return relation;
    }

    @Override
    public long pageCount() {
        return pageCount;
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    /** Rows skipped so far because their label or features were NULL (counted once per read). */
    public long skippedTuples() {
        return skipped;
    }

    /** The COPY statement that reads pages {@code [first, end)}; public for EXPLAIN in tests and docs. */
    public String rangeQuery(long first, long end) {
        return "SELECT " + relation.selectList() + " FROM " + relation.qualifiedName() + " WHERE "
                + rangePredicate(first, end);
    }

    private static String rangePredicate(long first, long end) {
        return "ctid >= '(" + first + ",0)'::tid AND ctid < '(" + end + ",0)'::tid";
    }

    @Override
    public int readPages(long firstPage, int pages, long nextFirstPage, TupleBuffer into) {
        if (firstPage < 0 || pages < 0) {
            throw new IllegalArgumentException("readPages: firstPage must be >= 0 and pages >= 0, got "
                    + firstPage + " and " + pages);
        }
        long end = Math.min(pageCount, firstPage + pages);
        if (firstPage >= end) {
            return 0;
        }
        String sql = copyPrefix + rangePredicate(firstPage, end) + ") TO STDOUT (FORMAT binary)";
        int before = into.size();
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            try (InputStream in = new PGCopyInputStream(pg, sql)) {
                decode(new BinaryCopyReader(in), into);
                while (in.read() >= 0) {
                    // drain: the COPY must run to completion before the connection takes the next statement
                }
            }
        } catch (SQLException e) {
            throw new UncheckedSqlException(e);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException s) {
                throw new UncheckedSqlException(s);
            }
            throw new UncheckedSqlException(new SQLException("reading " + relation.qualifiedName()
                    + " by binary COPY failed: " + e.getMessage(), "08006", e));
        }
        return into.size() - before;
    }

    private void decode(BinaryCopyReader r, TupleBuffer into) throws IOException {
        boolean sparse = shape.sparse();
        int expectedFields = sparse ? 4 : 3;
        long lastId = -1;
        int fields;
        while ((fields = r.nextRow()) >= 0) {
            if (fields != expectedFields) {
                throw new IllegalStateException("binary COPY row with " + fields + " fields, expected "
                        + expectedFields + "; please report a bug");
            }
            r.readInt();                                   // tid: 6 bytes
            long page = r.readInt() & 0xFFFFFFFFL;
            int offset = r.readShort() & 0xFFFF;
            long id = page << 16 | offset;
            if (id <= lastId) {
                throw new IllegalStateException("rows of " + relation.qualifiedName() + " arrived out of ctid "
                        + "order; the range query was not planned as a TID range scan. Please report a bug.");
            }
            lastId = id;
            double label = Double.NaN;
            boolean labelNull = r.readInt() < 0;
            if (!labelNull) {
                label = r.readDouble();
                if (!Double.isFinite(label)) {
                    throw dataError("label: value " + label + " at ctid " + ctid(page, offset)
                            + " of " + relation.qualifiedName() + " is not a finite number");
                }
            }
            boolean ok = sparse ? readSparse(r, label, labelNull, id, page, offset, into)
                    : readDense(r, label, labelNull, id, page, offset, into);
            if (!ok) {
                skipped++;
            }
        }
    }

    private boolean readDense(BinaryCopyReader r, double label, boolean labelNull, long id, long page, int offset,
                              TupleBuffer into) throws IOException {
        int len = r.readInt();
        if (len < 0) {
            return false;
        }
        int n = arrayHeader(r, page, offset);
        int d = shape.dimension();
        if (n != d) {
            throw dataError("features: the row at ctid " + ctid(page, offset) + " of "
                    + relation.qualifiedName() + " has " + n + " values, expected " + d
                    + " (every feature vector must have the same length)");
        }
        if (labelNull || r.arrayHasNulls()) {
            double[] sink = scratchValues.length >= n ? scratchValues : (scratchValues = new double[n]);
            r.readDoubleElements(n, sink, 0);
            return false;
        }
        int at = into.appendDenseSlot(label, id);
        double[] dense = into.dense();
        r.readDoubleElements(n, dense, at);
        for (int i = at; i < at + n; i++) {
            if (!Double.isFinite(dense[i])) {
                throw dataError("features: value " + dense[i] + " at position " + (i - at + 1)
                        + " of the row at ctid " + ctid(page, offset) + " of " + relation.qualifiedName()
                        + " is not a finite number");
            }
        }
        return true;
    }

    private boolean readSparse(BinaryCopyReader r, double label, boolean labelNull, long id, long page, int offset,
                               TupleBuffer into) throws IOException {
        int idxLen = r.readInt();
        int nIdx = 0;
        boolean nulls = labelNull || idxLen < 0;
        if (idxLen >= 0) {
            nIdx = arrayHeader(r, page, offset);
            nulls |= r.arrayHasNulls();
            if (scratchIndices.length < nIdx) {
                scratchIndices = new int[Math.max(nIdx, scratchIndices.length * 2)];
            }
            r.readIntElements(nIdx, scratchIndices, 0);
        }
        int valLen = r.readInt();
        int nVal = 0;
        nulls |= valLen < 0;
        if (valLen >= 0) {
            nVal = arrayHeader(r, page, offset);
            nulls |= r.arrayHasNulls();
            if (scratchValues.length < nVal) {
                scratchValues = new double[Math.max(nVal, scratchValues.length * 2)];
            }
            r.readDoubleElements(nVal, scratchValues, 0);
        }
        if (nulls) {
            return false;
        }
        if (nIdx != nVal) {
            throw dataError("features: the row at ctid " + ctid(page, offset) + " of "
                    + relation.qualifiedName() + " has " + nIdx + " indices but " + nVal + " values");
        }
        int d = shape.dimension();
        for (int i = 0; i < nIdx; i++) {
            if (scratchIndices[i] < 0 || scratchIndices[i] >= d) {
                throw dataError("features: index " + scratchIndices[i] + " in the row at ctid "
                        + ctid(page, offset) + " of " + relation.qualifiedName() + " is outside [0, " + d
                        + "); sparse indices are 0-based");
            }
            if (!Double.isFinite(scratchValues[i])) {
                throw dataError("features: value " + scratchValues[i] + " in the row at ctid "
                        + ctid(page, offset) + " of " + relation.qualifiedName() + " is not a finite number");
            }
        }
        into.addSparse(label, id, scratchIndices, scratchValues, 0, nIdx);
        return true;
    }

    /** Reads a one-dimensional array header and returns the element count (0 for an empty array). */
    private int arrayHeader(BinaryCopyReader r, long page, int offset) throws IOException {
        int n = r.readArrayHeader();
        if (r.arrayDimensions() > 1) {
            throw dataError("features: the row at ctid " + ctid(page, offset) + " of "
                    + relation.qualifiedName() + " is a " + r.arrayDimensions() + "-dimensional array; features "
                    + "must be one-dimensional");
        }
        return n;
    }

    private static UncheckedSqlException dataError(String message) {
        return new UncheckedSqlException(new CorgiPileException(CorgiPileException.DATA_EXCEPTION, message));
    }

    private static String ctid(long page, int offset) {
        return "(" + page + "," + offset + ")";
    }

    /** An {@link SQLException} crossing the {@link BlockSource} interface, which declares no checked exceptions. */
    public static final class UncheckedSqlException extends RuntimeException {
        public UncheckedSqlException(SQLException cause) {
            super(cause.getMessage(), cause);
        }

        @Override
        public synchronized SQLException getCause() {
            return (SQLException) super.getCause();
        }
    }

    @Override
    public String toString() {
        return "JdbcBlockSource[" + relation.qualifiedName() + ", " + pageCount + " pages, " + shape + "]";
    }
}
