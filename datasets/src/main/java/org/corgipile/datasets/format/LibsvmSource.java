package org.corgipile.datasets.format;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.TreeSet;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.TableShape;

/**
 * LIBSVM / SVMlight text: {@code LABEL [qid:N] INDEX:VALUE ... [# comment]} per line, 1-based strictly increasing
 * indices, optionally gzipped. Table indices are 0-based ({@code INDEX - 1}).
 *
 * <p>The file is read twice: a pre-scan validates every line, counts rows, finds the largest index and the label
 * set (to choose int vs float8 labels and map {@code -1/+1} to {@code 0/1}) before anything reaches the database;
 * the second pass streams rows. Without an explicit choice the table is dense when there are at most 4096 features
 * and rows fill at least a quarter of them, else sparse.
 */
public final class LibsvmSource extends TextFileSource {
    static final int AUTO_DENSE_MAX_DIMENSION = 4096;

    private final Path file;

    public LibsvmSource(Path file, ImportOptions options) throws IOException {
        this.file = file;
        this.name = file.getFileName().toString();
        Scan scan = new Scan();
        long ln = 0;
        try (BufferedReader r = TextInput.reader(file)) {
            Record tmp = new Record();
            String s;
            while ((s = r.readLine()) != null) {
                ln++;
                tmp.clear();
                if (parse(s, ln, tmp)) {
                    scan.add(tmp, ln);
                }
            }
        } catch (InputFormatException e) {
            throw e;
        } catch (IOException e) {
            throw NumberedLines.unreadable(name, ln + 1, e);
        }
        this.rows = scan.rows;
        this.labels = LabelMap.decide(scan.labels, scan.integral, options.labelType(), name, scan.firstNonIntegral);
        int dim = Math.max(options.dimension(), scan.maxIndex);
        if (options.dimension() > 0 && scan.maxIndex > options.dimension()) {
            throw new InputFormatException(name, "line " + scan.maxIndexLine, "feature index " + scan.maxIndex
                    + " exceeds the requested dimension " + options.dimension());
        }
        FeatureKind kind = options.kind();
        if (kind == null) {
            boolean denseEnough = scan.rows == 0 || scan.nnz >= 0.25 * dim * (double) scan.rows;
            kind = dim <= AUTO_DENSE_MAX_DIMENSION && denseEnough ? FeatureKind.DENSE : FeatureKind.SPARSE;
        }
        if (kind == FeatureKind.DENSE && dim > ImportOptions.MAX_DENSE_DIMENSION) {
            throw new InputFormatException(name, "line " + scan.maxIndexLine, "feature index " + scan.maxIndex
                    + " is too wide for a dense table (at most " + ImportOptions.MAX_DENSE_DIMENSION
                    + "); load it sparse");
        }
        this.shape = new TableShape(kind, labels.type(), dim);
        this.in = new NumberedLines(file, name);
    }

    @Override
    public boolean next(Record r) throws IOException {
        String s;
        while ((s = in.next()) != null) {
            long line = in.number();
            if (parse(s, line, r)) {
                r.label = labels.map(r.label);
                if (shape.kind() == FeatureKind.DENSE) {
                    double[] d = r.dense(shape.dimension());
                    Arrays.fill(d, 0);
                    for (int i = 0; i < r.nnz; i++) {
                        d[r.indices[i]] = r.values[i];
                    }
                }
                return true;
            }
            r.clear();
        }
        return false;
    }

    /**
     * Parses one line into label + sparse entries (0-based). Returns false for blank and comment-only lines.
     */
    private boolean parse(String s, long ln, Record r) throws InputFormatException {
        int hash = s.indexOf('#');
        int end = hash >= 0 ? hash : s.length();
        int p = skipSpace(s, 0, end);
        if (p == end) {
            return false;
        }
        int q = token(s, p, end);
        double label = TextInput.parseFinite(s.substring(p, q));
        if (Double.isNaN(label)) {
            throw error(ln, "bad label '" + clip(s.substring(p, q)) + "' (expected a finite number)");
        }
        r.label = label + 0.0; // -0 and 0 are one class
        int prev = 0;
        p = skipSpace(s, q, end);
        while (p < end) {
            q = token(s, p, end);
            int colon = s.indexOf(':', p);
            if (colon < 0 || colon >= q) {
                throw error(ln, "bad feature token '" + clip(s.substring(p, q)) + "' (expected INDEX:VALUE)");
            }
            if (s.startsWith("qid", p) && colon == p + 3) {
                p = skipSpace(s, q, end);
                continue;
            }
            int index = parseIndex(s, p, colon);
            if (index < 1) {
                throw error(ln, "bad feature index in '" + clip(s.substring(p, q))
                        + "' (expected an integer in [1, 2147483647])");
            }
            if (index <= prev) {
                throw error(ln, "feature index " + index + " after " + prev + " (indices must be strictly increasing)");
            }
            double v = TextInput.parseFinite(s.substring(colon + 1, q));
            if (Double.isNaN(v)) {
                throw error(ln, "bad feature value in '" + clip(s.substring(p, q)) + "' (expected a finite number)");
            }
            r.addSparse(index - 1, v);
            prev = index;
            p = skipSpace(s, q, end);
        }
        return true;
    }

    private InputFormatException error(long ln, String reason) {
        return new InputFormatException(name, "line " + ln, reason);
    }

    private static int parseIndex(String s, int from, int to) {
        if (to - from < 1 || to - from > 10) {
            return -1;
        }
        long v = 0;
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            v = v * 10 + (c - '0');
        }
        return v > Integer.MAX_VALUE ? -1 : (int) v;
    }

    private static int skipSpace(String s, int p, int end) {
        while (p < end && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    private static int token(String s, int p, int end) {
        while (p < end && !Character.isWhitespace(s.charAt(p))) {
            p++;
        }
        return p;
    }

    static String clip(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }

    /** What the pre-scan learns. */
    private static final class Scan {
        long rows;
        long nnz;
        int maxIndex;
        long maxIndexLine;
        final TreeSet<Double> labels = new TreeSet<>();
        boolean integral = true;
        String firstNonIntegral;

        void add(Record r, long ln) {
            rows++;
            nnz += r.nnz;
            if (r.nnz > 0 && r.indices[r.nnz - 1] + 1 > maxIndex) {
                maxIndex = r.indices[r.nnz - 1] + 1;
                maxIndexLine = ln;
            }
            if (labels.size() <= LabelMap.MAX_CLASSES) {
                labels.add(r.label);
            }
            if (integral && r.label != Math.rint(r.label)) {
                integral = false;
                firstNonIntegral = "line " + ln;
            }
        }
    }
}
