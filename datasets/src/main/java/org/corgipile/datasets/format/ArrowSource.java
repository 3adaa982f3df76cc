package org.corgipile.datasets.format;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BaseIntVector;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.ArrowStreamReader;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * Arrow IPC, file ({@code ARROW1} magic) or stream format, read batch by batch. Columns are interpreted by name:
 * <ul>
 *   <li>the label: {@code --label-column}, else {@code label}, else the first column;</li>
 *   <li>{@code id} (64-bit integer), when present, keeps the row ids (so an export re-imports unchanged);</li>
 *   <li>{@code features} (list of numbers) makes a dense table; {@code indices} + {@code vals} (lists) a sparse
 *       one -- the layout {@link org.corgipile.datasets.ArrowExport} writes;</li>
 *   <li>otherwise every other numeric column (integers, floats, booleans, dates as days) is one dense feature, in
 *       schema order; non-numeric columns (strings) are skipped and listed in {@link #skippedColumns()}.</li>
 * </ul>
 * The label is {@code int} when the label column is an integer type, else {@code float8}, unless forced.
 */
public final class ArrowSource implements RecordSource {
    private static final byte[] FILE_MAGIC = {'A', 'R', 'R', 'O', 'W', '1'};

    private final String name;
    private final BufferAllocator allocator;
    private final ArrowReader reader;
    private final TableShape shape;
    private final String labelName;
    private final List<String> featureNames = new ArrayList<>();
    private final List<String> skipped = new ArrayList<>();
    /** Which columns hold the features. */
    private enum Mode { SCALARS, DENSE_LIST, SPARSE_LISTS }

    private final Mode mode;
    private final boolean forceIntLabel;
    private int row;
    private int batchRows;
    private long record;
    /** Length of the first dense list, which every later row must match (the file may not record it). */
    private int denseLength = -1;
    private NumericColumn label;
    private BigIntVector id;
    private NumericColumn[] scalars;
    private ListVector list1;
    private ListVector list2;
    private NumericColumn list1Data;
    private NumericColumn list2Data;

    public ArrowSource(Path file, ImportOptions options) throws IOException {
        org.corgipile.datasets.ArrowRuntime.check();
        this.name = file.getFileName().toString();
        this.allocator = new RootAllocator();
        ArrowReader opened = null;
        try {
            opened = hasFileMagic(file)
                    ? new ArrowFileReader(FileChannel.open(file, StandardOpenOption.READ), allocator)
                    : new ArrowStreamReader(Files.newInputStream(file), allocator);
            this.reader = opened;
            Schema schema;
            try {
                schema = reader.getVectorSchemaRoot().getSchema();
            } catch (IOException | RuntimeException e) {
                throw new InputFormatException(name, "schema", "not an Arrow IPC file or stream ("
                        + e.getMessage() + ")", e);
            }
            List<Field> fields = schema.getFields();
            if (fields.isEmpty()) {
                throw new InputFormatException(name, "schema", "no columns");
            }
            VectorSchemaRoot root = reader.getVectorSchemaRoot();
            this.labelName = pickLabel(fields, options.labelColumn());
            FieldVector lv = root.getVector(labelName);
            if (!NumericColumn.isNumeric(lv)) {
                throw new InputFormatException(name, "schema", "label column '" + labelName + "' has type "
                        + lv.getField().getType() + "; expected a number");
            }
            LabelType lt = options.labelType() != null ? options.labelType()
                    : lv instanceof BaseIntVector || lv instanceof org.apache.arrow.vector.BitVector
                            ? LabelType.INT : LabelType.FLOAT8;
            this.forceIntLabel = lt == LabelType.INT;
            FieldVector features = root.getVector("features");
            FieldVector indices = root.getVector("indices");
            FieldVector vals = root.getVector("vals");
            if (features != null && NumericColumn.isNumericList(features)) {
                this.shape = TableShape.dense(lt, dimensionOf(features, schema));
                this.mode = Mode.DENSE_LIST;
            } else if (indices != null && vals != null && NumericColumn.isNumericList(indices)
                    && NumericColumn.isNumericList(vals)) {
                this.shape = TableShape.sparse(lt, dimensionOf(indices, schema));
                this.mode = Mode.SPARSE_LISTS;
            } else {
                for (Field f : fields) {
                    if (f.getName().equals(labelName) || f.getName().equals("id")) {
                        continue;
                    }
                    if (NumericColumn.isNumeric(root.getVector(f.getName()))) {
                        featureNames.add(f.getName());
                    } else {
                        skipped.add(f.getName());
                    }
                }
                if (options.kind() == FeatureKind.SPARSE) {
                    throw new InputFormatException(name, "schema", "a sparse table needs list columns 'indices' "
                            + "and 'vals'");
                }
                this.shape = TableShape.dense(lt, featureNames.size());
                this.mode = Mode.SCALARS;
            }
        } catch (IOException | RuntimeException e) {
            try {
                if (opened != null) {
                    opened.close();
                }
                allocator.close();
            } catch (IOException | RuntimeException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    private String pickLabel(List<Field> fields, String requested) throws InputFormatException {
        if (requested != null) {
            for (Field f : fields) {
                if (f.getName().equals(requested)) {
                    return requested;
                }
            }
            throw new InputFormatException(name, "schema", "no label column '" + requested + "'; columns are "
                    + fields.stream().map(Field::getName).toList());
        }
        for (Field f : fields) {
            if (f.getName().toLowerCase(Locale.ROOT).equals("label")) {
                return f.getName();
            }
        }
        return fields.get(0).getName();
    }

    /** Dimension recorded by {@code ArrowExport} in the field metadata, else 0 (unknown until read). */
    private static int dimensionOf(FieldVector v, Schema schema) {
        String d = v.getField().getMetadata().get("corgipile.dimension");
        if (d == null) {
            d = schema.getCustomMetadata().get("corgipile.dimension");
        }
        try {
            return d == null ? 0 : Integer.parseInt(d);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static boolean hasFileMagic(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] b = in.readNBytes(FILE_MAGIC.length);
            return java.util.Arrays.equals(b, FILE_MAGIC);
        }
    }

    /** Non-numeric columns that were not loaded. */
    public List<String> skippedColumns() {
        return List.copyOf(skipped);
    }

    /** Feature column names, in feature order (for column-per-feature files). */
    @Override
    public List<String> featureColumns() {
        return List.copyOf(featureNames);
    }

    @Override
    public TableShape shape() {
        return shape;
    }

    @Override
    public long expectedRows() {
        return -1; // Arrow IPC keeps row counts in the batches, not in a header
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean next(Record r) throws IOException {
        while (row >= batchRows) {
            boolean more;
            try {
                more = reader.loadNextBatch();
            } catch (IOException | RuntimeException e) {
                throw new InputFormatException(name, "record " + (record + 1), "unreadable record batch ("
                        + e.getMessage() + ")", e);
            }
            if (!more) {
                return false;
            }
            bind(reader.getVectorSchemaRoot());
        }
        record++;
        FieldVector lv = reader.getVectorSchemaRoot().getVector(labelName);
        if (lv.isNull(row)) {
            throw new InputFormatException(name, "record " + record, "label '" + labelName + "' is null");
        }
        double y = label.get(row) + 0.0;
        if (forceIntLabel && (y != Math.rint(y) || Math.abs(y) > Integer.MAX_VALUE)) {
            throw new InputFormatException(name, "record " + record, "label " + y + " is not an integer "
                    + "(use --label-type float8 for regression)");
        }
        r.label = y;
        if (id != null && !id.isNull(row)) {
            r.id = id.get(row);
        }
        if (mode == Mode.SCALARS) {
            double[] d = r.dense(scalars.length);
            for (int i = 0; i < scalars.length; i++) {
                if (reader.getVectorSchemaRoot().getVector(featureNames.get(i)).isNull(row)) {
                    throw new InputFormatException(name, "record " + record, "column '" + featureNames.get(i)
                            + "' is null");
                }
                d[i] = scalars[i].get(row);
            }
        } else if (mode == Mode.DENSE_LIST) {
            int s = start(list1, "features");
            int n = list1.getElementEndIndex(row) - s;
            int expected = shape.dimension() > 0 ? shape.dimension() : denseLength;
            if (expected >= 0 && n != expected) {
                throw new InputFormatException(name, "record " + record, "features has " + n
                        + " values, expected " + expected + " (as in the first row)");
            }
            denseLength = n;
            double[] d = r.dense(n);
            for (int i = 0; i < n; i++) {
                d[i] = list1Data.get(s + i);
            }
        } else {
            int s1 = start(list1, "indices");
            int s2 = start(list2, "vals");
            int n = list1.getElementEndIndex(row) - s1;
            if (list2.getElementEndIndex(row) - s2 != n) {
                throw new InputFormatException(name, "record " + record, "indices and vals differ in length");
            }
            for (int i = 0; i < n; i++) {
                r.addSparse((int) list1Data.get(s1 + i), list2Data.get(s2 + i));
            }
        }
        row++;
        return true;
    }

    private int start(ListVector v, String col) throws InputFormatException {
        if (v.isNull(row)) {
            throw new InputFormatException(name, "record " + record, "column '" + col + "' is null");
        }
        return v.getElementStartIndex(row);
    }

    private void bind(VectorSchemaRoot root) {
        row = 0;
        batchRows = root.getRowCount();
        label = NumericColumn.of(root.getVector(labelName));
        id = root.getVector("id") instanceof BigIntVector b ? b : null;
        if (mode == Mode.SCALARS) {
            scalars = new NumericColumn[featureNames.size()];
            for (int i = 0; i < scalars.length; i++) {
                scalars[i] = NumericColumn.of(root.getVector(featureNames.get(i)));
            }
        } else if (mode == Mode.DENSE_LIST) {
            list1 = (ListVector) root.getVector("features");
            list1Data = NumericColumn.of(list1.getDataVector());
        } else {
            list1 = (ListVector) root.getVector("indices");
            list2 = (ListVector) root.getVector("vals");
            list1Data = NumericColumn.of(list1.getDataVector());
            list2Data = NumericColumn.of(list2.getDataVector());
        }
    }

    @Override
    public void close() throws IOException {
        try {
            reader.close();
        } finally {
            allocator.close();
        }
    }
}
