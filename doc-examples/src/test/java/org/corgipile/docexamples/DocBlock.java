package org.corgipile.docexamples;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A fenced code block of a Markdown file: its language, its first content line (1-based) and how the runner treats
 * it, from an HTML comment on the line before the fence:
 * <ul>
 *   <li>(none) {@code run}: executed, must succeed;</li>
 *   <li>{@code <!-- example: check -->}: SQL statements are planned (EXPLAIN, in a rolled-back transaction), CLI
 *       lines parsed by the CLI's own option model, Java compiled — for examples too long for the suite or needing
 *       files the reader brings;</li>
 *   <li>{@code <!-- example: illustrative -->}: not executed (signatures, diagrams).</li>
 * </ul>
 * Blocks without a language are transcripts or output: their {@code $ } lines are CLI lines, always checked.
 */
record DocBlock(Path file, int line, String language, Mode mode, List<String> lines) {
    enum Mode { RUN, CHECK, ILLUSTRATIVE }

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```\\s*([A-Za-z0-9_+-]*)\\s*$");
    private static final Pattern MARKER = Pattern.compile("^\\s*<!--\\s*example:\\s*(\\w+)\\s*-->\\s*$");

    String where() {
        return file.getFileName() + ":" + line;
    }

    /** "README.md:12" for the content line {@code i} (0-based) of this block. */
    String where(int i) {
        return file.getFileName() + ":" + (line + i);
    }

    String text() {
        return String.join("\n", lines) + "\n";
    }

    static List<DocBlock> parse(Path file) throws IOException {
        List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
        List<DocBlock> blocks = new ArrayList<>();
        for (int i = 0; i < all.size(); i++) {
            Matcher open = FENCE.matcher(all.get(i));
            if (!open.matches()) {
                continue;
            }
            String indent = open.group(1);
            Mode mode = Mode.RUN;
            int prev = i - 1;
            while (prev >= 0 && all.get(prev).isBlank()) {
                prev--;
            }
            if (prev >= 0) {
                Matcher m = MARKER.matcher(all.get(prev));
                if (m.matches()) {
                    try {
                        mode = Mode.valueOf(m.group(1).toUpperCase());
                    } catch (IllegalArgumentException e) {
                        throw new IllegalArgumentException(file.getFileName() + ":" + (prev + 1)
                                + ": unknown example marker '" + m.group(1) + "' (run, check, illustrative)");
                    }
                }
            }
            List<String> body = new ArrayList<>();
            int j = i + 1;
            for (; j < all.size() && !all.get(j).strip().equals("```"); j++) {
                String l = all.get(j);
                body.add(l.startsWith(indent) ? l.substring(indent.length()) : l);
            }
            if (j == all.size()) {
                throw new IllegalArgumentException(file.getFileName() + ":" + (i + 1) + ": unterminated code block");
            }
            blocks.add(new DocBlock(file, i + 2, open.group(2).toLowerCase(), mode, body));
            i = j;
        }
        return blocks;
    }
}
