package org.corgipile.client.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.util.BitSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.corgipile.client.CorgiPileException;
import org.corgipile.operators.BlockSource;
import org.corgipile.operators.FeatureShape;
import org.corgipile.operators.TrainingException;
import org.corgipile.operators.TupleBuffer;
import org.corgipile.operators.copy.BinaryCopyReader;
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
 * As in the extension's heap reader, rows whose label or features are NULL are skipped and counted
 * ({@link #skippedTuples}); a NULL array element (22004), NaN or infinite values and vectors of the wrong length
 * (22000), numerics beyond double precision (22003) are errors naming the row's ctid.
 */
public final class JdbcBlockSource implements BlockSource {
    private final Connection connection;
    private final RelationColumns relation;
    private final FeatureShape shape;
    private final long pageCount;
    /** COPY (SELECT ... FROM t WHERE, with the casts of the select list until one fails, then exactly. */
    private String copyPrefix;
    private boolean exact;
    /** Pages read once with the casts: no numeric there fails them again (one snapshot), no savepoint needed. */
    private final BitSet castRead = new BitSet();
    /** TIDs of rows skipped for NULLs: each is counted once however often its page is read (every epoch). */
    private final Set<Long> skipped = new HashSet<>();
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
        return open(c, relation, relation.detectShape(c, 0));
    }

    /**
     * Opens a source with a known shape, e.g. a validation relation that must match the training relation's
     * dimension.
     */
    public static JdbcBlockSource open(Connection c, RelationColumns relation, FeatureShape shape)
            throws SQLException {
        if (shape.sparse() != (relation.features().layout() == FeatureColumns.Layout.SPARSE)) {
            throw new CorgiPileException(TrainingException.DATA_EXCEPTION, "features of relation "
                    + relation.shown() + " are " + (shape.sparse() ? "dense" : "sparse")
                    + " but the model expects " + (shape.sparse() ? "sparse" : "dense") + " features");
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
    public String describeLabel() {
        return "label column \"" + relation.label() + "\" of relation " + relation.shown();
    }

    @Override
    public String describeValue(int feature, long id) {
        return BlockSource.describeValue(relation.shown(), relation.label(), relation.features().columns(),
                shape.sparse(), feature, id);
    }

    @Override
    public FeatureShape shape() {
        return shape;
    }

    /** Rows skipped so far because their label or features were NULL, each row counted once. */
    public long skippedTuples() {
        return skipped.size();
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
    public int readPages(long firstPage, int pages, TupleBuffer into) {
        if (firstPage < 0 || pages < 0) {
            throw new IllegalArgumentException("readPages: firstPage must be >= 0 and pages >= 0, got "
                    + firstPage + " and " + pages);
        }
        long end = Math.min(pageCount, firstPage + pages);
        if (firstPage >= end) {
            return 0;
        }
        int before = into.size();
        // A numeric cast fails (22003, naming no row) on a value the heap reader reads: below double precision
        // (0) or beyond it (the reader's error naming the row). Pages not read before are read under a savepoint
        // (in a transaction), and where a cast failed, read again exactly (RelationColumns.exactSelectList) from
        // then on. Two round trips per range of the first pass over a table with a numeric column, no scan.
        boolean guarded = !exact && relation.hasNumeric() && castRead.nextClearBit((int) firstPage) < end;
        try {
            Savepoint savepoint = guarded && !connection.getAutoCommit() ? connection.setSavepoint() : null;
            try {
                copy(copyPrefix + rangePredicate(firstPage, end) + ") TO STDOUT (FORMAT binary)", into);
            } catch (TrainingException e) {
                // the server's 22003 (a cast), not the decoder's (exact reads only)
                if (!guarded || !TrainingException.NUMERIC_VALUE_OUT_OF_RANGE.equals(e.sqlState())
                        || !(e.getCause() instanceof SQLException)) {
                    throw e;
                }
                if (savepoint != null) {
                    connection.rollback(savepoint);
                }
                into.truncate(before);
                exact = true;
                copyPrefix = "COPY (SELECT " + relation.exactSelectList() + " FROM " + relation.qualifiedName()
                        + " WHERE ";
                return readPages(firstPage, pages, into);
            }
            if (savepoint != null) {
                connection.releaseSavepoint(savepoint);
                castRead.set((int) firstPage, (int) end);
            }
        } catch (SQLException e) {
            throw CorgiPileException.error(e);
        }
        return into.size() - before;
    }

    /** Runs one binary COPY ... TO STDOUT into {@code into}; a failed statement is a CorgiPileException. */
    private void copy(String sql, TupleBuffer into) {
        try {
            PGConnection pg = connection.unwrap(PGConnection.class);
            try (InputStream in = new PGCopyInputStream(pg, sql)) {
                decode(new BinaryCopyReader(in), into);
                while (in.read() >= 0) {
                    // drain: the COPY must run to completion before the connection takes the next statement
                }
            }
        } catch (SQLException e) {
            throw CorgiPileException.error(e);
        } catch (IOException e) {
            if (e.getCause() instanceof SQLException s) {
                throw CorgiPileException.error(s);
            }
            throw new TrainingException(TrainingException.CONNECTION_FAILURE, "reading relation " + relation.shown()
                    + " by binary COPY failed: " + e.getMessage(), null, e);
        }
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
            int labelLen = r.readInt();
            double label = labelLen < 0 ? Double.NaN : r.readDouble();
            boolean ok = sparse ? readSparse(r, label, labelLen < 0, id, page, offset, into)
                    : readDense(r, label, labelLen < 0, id, page, offset, into);
            if (!ok) {
                skipped.add(id);
            }
        }
    }

    private boolean readDense(BinaryCopyReader r, double label, boolean labelNull, long id, long page, int offset,
                              TupleBuffer into) throws IOException {
        int len = r.readInt();
        if (labelNull || len < 0) {
            r.skip(Math.max(len, 0));
            return false;
        }
        checkLabel(label, page, offset);
        boolean array = relation.features().layout() == FeatureColumns.Layout.ARRAY;
        String column = relation.features().columns().get(0);
        int n = arrayHeader(r, column, page, offset);
        int d = shape.dimension();
        if (n == 0 && array) {
            throw relation.emptyArray(page, offset);
        }
        if (n != d) {
            throw relation.tupleError(TrainingException.DATA_EXCEPTION, "features", column, page, offset, "have " + n
                    + " elements; expected " + d + " like the first tuple", "Every feature array of a relation must "
                    + "have the same length.");
        }
        int at = into.appendDenseSlot(label, id);
        double[] dense = into.dense();
        r.readDoubleElements(n, dense, at);
        checkFeatures(dense, at, n, array ? column : null, page, offset);
        return true;
    }

    private boolean readSparse(BinaryCopyReader r, double label, boolean labelNull, long id, long page, int offset,
                               TupleBuffer into) throws IOException {
        int idxLen = r.readInt();
        if (labelNull || idxLen < 0) {
            r.skip(Math.max(idxLen, 0));
            r.skip(Math.max(r.readInt(), 0));
            return false;
        }
        List<String> cols = relation.features().columns();
        int nIdx = arrayHeader(r, cols.get(0), page, offset);
        if (scratchIndices.length < nIdx) {
            scratchIndices = new int[Math.max(nIdx, scratchIndices.length * 2)];
        }
        r.readIntElements(nIdx, scratchIndices, 0);
        int valLen = r.readInt();
        if (valLen < 0) {
            return false;
        }
        checkLabel(label, page, offset);
        int nVal = arrayHeader(r, cols.get(1), page, offset);
        if (scratchValues.length < nVal) {
            scratchValues = new double[Math.max(nVal, scratchValues.length * 2)];
        }
        r.readDoubleElements(nVal, scratchValues, 0);
        if (nIdx != nVal) {
            throw relation.tupleError(TrainingException.DATA_EXCEPTION, "sparse features", String.join(", ", cols),
                    page, offset, "have " + nIdx + " indices but " + nVal + " values", "Each row needs one value per "
                    + "index.");
        }
        checkFeatures(scratchValues, 0, nIdx, cols.get(1), page, offset);
        int d = shape.dimension();
        for (int i = 0; i < nIdx; i++) {
            if (scratchIndices[i] < 0 || scratchIndices[i] >= d) {
                throw TupleBuffer.sparseIndexOutside(scratchIndices[i], id, cols.get(0), relation.shown(), d);
            }
        }
        into.addSparse(label, id, scratchIndices, scratchValues, 0, nIdx);
        return true;
    }

    private void checkLabel(double label, long page, int offset) {
        if (!Double.isFinite(label)) {
            throw relation.notFinite(true, relation.label(), exact && Double.isInfinite(label)
                    && relation.numeric(relation.label()), page, offset);
        }
    }

    /**
     * The heap reader's check of one row's features {@code v[from, from + n)}: the values of feature array
     * {@code array}, or (null) of the feature columns in order. The first value that is not finite names its
     * column; the error is 22003 if a numeric of the check is beyond double precision (Infinity as sent by an
     * exact read; a cast fails on those, and sends numeric's own Infinity as Infinity).
     */
    private void checkFeatures(double[] v, int from, int n, String array, long page, int offset) {
        for (int i = from; i < from + n; i++) {
            if (!Double.isFinite(v[i])) {
                List<String> cols = relation.features().columns();
                boolean beyond = false;
                for (int j = from; j < from + n; j++) {
                    beyond |= exact && Double.isInfinite(v[j])
                            && relation.numeric(array != null ? array : cols.get(j - from));
                }
                throw relation.notFinite(false, array != null ? array : cols.get(i - from), beyond, page, offset);
            }
        }
    }

    /** Reads a one-dimensional array header of {@code column} and returns the element count (0 for an empty array). */
    private int arrayHeader(BinaryCopyReader r, String column, long page, int offset) throws IOException {
        int n = r.readArrayHeader();
        if (r.arrayDimensions() > 1) {
            throw relation.tupleError(TrainingException.ARRAY_SUBSCRIPT_ERROR, "features", column, page, offset,
                    "are a " + r.arrayDimensions() + "-dimensional array; expected one dimension", "Store each row's "
                    + "features as a flat array, e.g. into a new table.");
        }
        if (r.arrayHasNulls()) {
            throw relation.tupleError(TrainingException.NULL_VALUE_NOT_ALLOWED, "features", column, page, offset,
                    "contain a NULL element", "Replace the NULL elements (e.g. with coalesce) or leave those rows "
                    + "out, e.g. in a new table.");
        }
        return n;
    }

    @Override
    public String toString() {
        return "JdbcBlockSource[" + relation.qualifiedName() + ", " + pageCount + " pages, " + shape + "]";
    }
}
