package org.corgipile.datasets.format;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;

import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.TableShape;

/**
 * CSV with numeric fields into a dense table: one column is the label, every other column a feature, in file order.
 * Fields may be double-quoted ({@code ""} escapes a quote); a quoted field cannot span lines. Every row must have
 * as many fields as the first; empty or non-numeric fields are errors (impute before loading).
 *
 * <p>Like {@link LibsvmSource} the file is pre-scanned (validated, rows counted, label set collected) before
 * anything reaches the database.
 */
public final class CsvSource extends TextFileSource {
    private final char delimiter;
    private final int labelIndex;
    private final int fields;
    private final boolean header;
    private final List<String> cells = new ArrayList<>();
    private List<String> featureNames = List.of();
    /** Number of the first non-blank line (the header, when there is one), found by the pre-scan. */
    private long firstLine = -1;

    public CsvSource(Path file, ImportOptions options) throws IOException {
        this.name = file.getFileName().toString();
        this.delimiter = options.delimiter();
        this.header = options.header();
        int fieldCount = -1;
        int label = -1;
        long rowCount = 0;
        TreeSet<Double> seen = new TreeSet<>();
        boolean integral = true;
        String firstNonIntegral = null;
        double[] tmp = new double[0];
        long ln = 0;
        try (BufferedReader r = TextInput.reader(file)) {
            String s;
            while ((s = r.readLine()) != null) {
                ln++;
                if (s.isBlank()) {
                    continue;
                }
                split(s, ln);
                if (fieldCount < 0) {
                    fieldCount = cells.size();
                    if (fieldCount < 1) {
                        throw new InputFormatException(name, "line " + ln, "no fields");
                    }
                    label = labelIndex(options.labelColumn(), header ? List.copyOf(cells) : null, fieldCount, ln);
                    tmp = new double[fieldCount - 1];
                    if (header) {
                        List<String> names = new ArrayList<>(cells);
                        names.remove(label);
                        featureNames = List.copyOf(names);
                        continue;
                    }
                }
                double y = parseRow(ln, fieldCount, label, tmp);
                rowCount++;
                if (seen.size() <= LabelMap.MAX_CLASSES) {
                    seen.add(y);
                }
                if (integral && y != Math.rint(y)) {
                    integral = false;
                    firstNonIntegral = "line " + ln;
                }
            }
        } catch (InputFormatException e) {
            throw e;
        } catch (IOException e) {
            throw NumberedLines.unreadable(name, ln + 1, e);
        }
        if (fieldCount < 0) {
            throw new InputFormatException(name, "line 1", "empty file (expected a header or a data row)");
        }
        if (rowCount == 0) {
            // Only a header: also what a file read in the wrong encoding (UTF-16 as UTF-8) looks like.
            throw new InputFormatException(name, "line " + (ln + 1), "no data rows after the header (if the first "
                    + "line is data, pass --no-header)");
        }
        this.fields = fieldCount;
        this.labelIndex = label;
        this.rows = rowCount;
        this.labels = LabelMap.decide(seen, integral, options.labelType(), name, firstNonIntegral);
        this.shape = TableShape.dense(labels.type(), fieldCount - 1);
        this.in = new NumberedLines(file, name);
    }

    @Override
    public boolean next(Record r) throws IOException {
        String s;
        while ((s = in.next()) != null) {
            long line = in.number();
            if (s.isBlank() || header && line == firstLine) {
                continue;
            }
            split(s, line);
            r.label = labels.map(parseRow(line, fields, labelIndex, r.dense(fields - 1)));
            return true;
        }
        return false;
    }

    private double parseRow(long ln, int fieldCount, int label, double[] features) throws InputFormatException {
        if (cells.size() != fieldCount) {
            throw new InputFormatException(name, "line " + ln, cells.size() + " fields, expected " + fieldCount
                    + " (as in the first line)");
        }
        double y = 0;
        for (int i = 0, j = 0; i < fieldCount; i++) {
            String c = cells.get(i).trim();
            double v = TextInput.parseFinite(c);
            if (Double.isNaN(v)) {
                throw new InputFormatException(name, "line " + ln, "field " + (i + 1) + " '"
                        + LibsvmSource.clip(c) + "' is not a finite number");
            }
            if (i == label) {
                y = v + 0.0;
            } else {
                features[j++] = v;
            }
        }
        return y;
    }

    private int labelIndex(String column, List<String> names, int fieldCount, long ln) throws InputFormatException {
        if (column == null) {
            if (names != null) {
                for (int i = 0; i < names.size(); i++) {
                    if (names.get(i).trim().toLowerCase(Locale.ROOT).equals("label")) {
                        return i;
                    }
                }
            }
            return 0;
        }
        if (names != null) {
            for (int i = 0; i < names.size(); i++) {
                if (names.get(i).trim().equals(column)) {
                    return i;
                }
            }
        }
        try {
            int i = Integer.parseInt(column);
            if (i >= 0 && i < fieldCount) {
                return i;
            }
        } catch (NumberFormatException ignored) {
            // not a number either: fall through to the error
        }
        throw new InputFormatException(name, header ? "header" : "line " + ln, "label column '" + column
                + "' is neither a header name nor a field number in [0, " + (fieldCount - 1) + "]");
    }

    /** Splits one line into {@link #cells}, honouring double quotes. */
    private void split(String s, long ln) throws InputFormatException {
        cells.clear();
        StringBuilder cell = new StringBuilder();
        boolean quoted = false;
        boolean wasQuoted = false;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (quoted) {
                if (c == '"') {
                    if (i + 1 < s.length() && s.charAt(i + 1) == '"') {
                        cell.append('"');
                        i++;
                    } else {
                        quoted = false;
                    }
                } else {
                    cell.append(c);
                }
            } else if (c == '"' && cell.toString().isBlank() && !wasQuoted) {
                quoted = true;
                wasQuoted = true;
                cell.setLength(0);
            } else if (c == delimiter) {
                cells.add(cell.toString());
                cell.setLength(0);
                wasQuoted = false;
            } else if (wasQuoted && !Character.isWhitespace(c)) {
                throw new InputFormatException(name, "line " + ln, "text after a closing quote in field "
                        + (cells.size() + 1));
            } else {
                cell.append(c);
            }
        }
        if (quoted) {
            throw new InputFormatException(name, "line " + ln, "unterminated quote in field " + (cells.size() + 1)
                    + " (quoted fields cannot span lines)");
        }
        cells.add(cell.toString());
        if (firstLine < 0) {
            firstLine = ln;
        }
    }

    @Override
    public List<String> featureColumns() {
        return featureNames;
    }
}
