package org.corgipile.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;

/**
 * A plain-text table like psql's aligned output: a header, a rule, left-aligned text and right-aligned numbers.
 * Widths are computed from the content, so it is printed once all rows are known.
 */
final class TextTable {
    private final List<String> header;
    private final List<List<String>> rows = new ArrayList<>();
    private final boolean[] numeric;

    TextTable(List<String> header) {
        this.header = List.copyOf(header);
        this.numeric = new boolean[header.size()];
        java.util.Arrays.fill(numeric, true);
    }

    void add(List<String> row) {
        for (int i = 0; i < row.size(); i++) {
            String v = row.get(i);
            if (!v.isEmpty() && !looksNumeric(v)) {
                numeric[i] = false;
            }
        }
        rows.add(List.copyOf(row));
    }

    private static boolean looksNumeric(String v) {
        return v.matches("-?[0-9.,eE+-]+%?|NaN|-?Infinity");
    }

    /** Formats a metric the way the tables show it: 4 decimals, empty for NaN (NULL in SQL). */
    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        if (v != 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e7)) {
            return String.format(java.util.Locale.ROOT, "%.3e", v);
        }
        return String.format(java.util.Locale.ROOT, "%.4f", v);
    }

    void print(PrintWriter out) {
        int[] w = new int[header.size()];
        for (int i = 0; i < w.length; i++) {
            w[i] = width(header.get(i));
            for (List<String> r : rows) {
                w[i] = Math.max(w[i], width(r.get(i)));
            }
        }
        StringBuilder line = new StringBuilder();
        for (int i = 0; i < w.length; i++) {
            line.append(i == 0 ? " " : " | ").append(center(header.get(i), w[i]));
        }
        out.println(line.toString().stripTrailing());
        line.setLength(0);
        for (int i = 0; i < w.length; i++) {
            line.append(i == 0 ? "-" : "-+-").append("-".repeat(w[i]));
        }
        out.println(line.append('-'));
        for (List<String> r : rows) {
            line.setLength(0);
            for (int i = 0; i < w.length; i++) {
                String v = r.get(i);
                String pad = " ".repeat(w[i] - width(v));
                line.append(i == 0 ? " " : " | ").append(numeric[i] ? pad + v : v + pad);
            }
            out.println(line.toString().stripTrailing());
        }
        out.println("(" + rows.size() + (rows.size() == 1 ? " row)" : " rows)"));
        out.flush();
    }

    private static String center(String s, int width) {
        int left = (width - width(s)) / 2;
        return " ".repeat(left) + s + " ".repeat(width - width(s) - left);
    }

    /**
     * Columns a value takes: its characters, not its UTF-16 units (a model name with a 4-byte UTF-8 character was
     * padded one short). East Asian wide characters still count one.
     */
    private static int width(String s) {
        return s.codePointCount(0, s.length());
    }
}
