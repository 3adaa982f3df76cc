package org.corgipile.docexamples;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.TestClusters;
import org.corgipile.testsupport.TestDatabase;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SQL surface of the installed extension against its documentation, both ways, at the level of signatures (prose
 * is free):
 * <ul>
 *   <li>every function of the extension in schema {@code public} has a full signature in an illustrative {@code sql}
 *       block of docs/in-database.md — argument names, types and defaults, the result (a {@code TABLE}'s or a row
 *       type's columns) as pg_proc has them — and is named in README's "SQL reference (summary)";</li>
 *   <li>every signature the docs show, in README's and docs/in-database.md's illustrative {@code sql} blocks and in
 *       their inline code ({@code `corgipile.model_id(model_name text)`}, names only allowed), is a function of the
 *       extension with those argument names, and with the types, defaults, result columns and the
 *       {@code STABLE}/{@code STRICT}/{@code PARALLEL} words of its comment where it gives them;</li>
 *   <li>every GUC {@code corgipile.*} (pg_settings once the library is loaded) is a row of the GUC table of
 *       docs/in-database.md with its default, range and who may set it, and is named in README's summary;</li>
 *   <li>the column tables of {@code corgipile.training_progress} and {@code corgipile.models} list exactly the
 *       relation's columns (and their types where they give them).</li>
 * </ul>
 */
class SqlReferenceIT {
    private static final Path ROOT = findRoot();
    private static final Path REFERENCE = ROOT.resolve("docs/in-database.md");
    private static final Path README = ROOT.resolve("README.md");

    /** A signature at the start of a line of a reference block: {@code sgd_predict(}, {@code corgipile.model_id(}. */
    private static final Pattern SIGNATURE_START = Pattern.compile("(?m)^[ \\t]*((?:corgipile\\.)?[a-z_][a-z0-9_]*)\\(");
    /** An inline code span that may be a signature: a function name and a parenthesised argument list. */
    private static final Pattern INLINE = Pattern.compile("`((?:corgipile\\.)?[a-z_][a-z0-9_]*)\\(([^`()]*)\\)([^`]*)`");
    /** The names the extension's functions have: {@code corgipile.*}, {@code sgd_*}, {@code train_sgd}. */
    private static final Pattern EXTENSION_NAME = Pattern.compile("corgipile\\..*|sgd_.*|train_sgd");
    private static final Pattern IDENTIFIER = Pattern.compile("\"?[a-z_][a-z0-9_]*\"?");

    private static LocalCluster cluster;
    private static TestDatabase db;
    private static Connection conn;
    private static Map<String, List<Fn>> catalog;

    private final List<String> failures = new ArrayList<>();
    private final Map<String, String> typeNames = new HashMap<>();

    /**
     * A function as pg_proc has it, or as a doc shows it: then types, defaults and the result may be null, and
     * {@code notes} is the comment after the signature (null from the catalog).
     */
    record Fn(String name, List<Arg> args, String result, List<Arg> columns, String volatility, boolean strict,
              String parallel, String notes) {
    }

    /** An argument or a result column: name, type (null: not shown), default (null: none). */
    record Arg(String name, String type, String defaultValue) {
    }

    @BeforeAll
    static void startCluster() throws Exception {
        cluster = TestClusters.start(List.of());
        assertTrue(cluster.extensionAvailable(), "the corgipile extension is not installed in this PostgreSQL; "
                + "run ./corgipile setup (or make install it into $CORGIPILE_PG_BIN's installation)");
        db = TestDatabase.withExtension(cluster, "sql_reference");
        conn = db.connect();
        try (Statement s = conn.createStatement()) {
            s.execute("LOAD 'corgipile'");   // its GUCs are in pg_settings once the library is loaded
        }
        catalog = new LinkedHashMap<>();
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("""
                SELECT CASE WHEN n.nspname = 'public' THEN '' ELSE n.nspname || '.' END || p.proname,
                       pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), p.provolatile::text,
                       p.proisstrict, p.proparallel::text, p.prorettype
                FROM pg_proc p
                JOIN pg_namespace n ON n.oid = p.pronamespace
                JOIN pg_depend d ON d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e'
                JOIN pg_extension e ON e.oid = d.refobjid AND e.extname = 'corgipile'
                ORDER BY 1""")) {
            while (rs.next()) {
                String result = rs.getString(3);
                List<Arg> columns = result.startsWith("TABLE(") ? args(result.substring(6, result.length() - 1), true)
                        : rowTypeColumns(rs.getLong(7));
                String volatility = switch (rs.getString(4)) {
                    case "i" -> "IMMUTABLE";
                    case "s" -> "STABLE";
                    default -> "VOLATILE";
                };
                String parallel = switch (rs.getString(6)) {
                    case "s" -> "SAFE";
                    case "r" -> "RESTRICTED";
                    default -> "UNSAFE";
                };
                Fn fn = new Fn(rs.getString(1), args(rs.getString(2), true), result, columns, volatility,
                        rs.getBoolean(5), parallel, null);
                catalog.computeIfAbsent(fn.name(), k -> new ArrayList<>()).add(fn);
            }
        }
    }

    @AfterAll
    static void stopCluster() throws SQLException {
        if (db != null) {
            db.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    // ------------------------------------------------------------------------------------ catalog -> docs

    @Test
    void everyFunctionHasItsSignatureInTheReferenceAndIsInTheReadmeSummary() throws Exception {
        Map<String, List<Fn>> shown = signatures(REFERENCE);
        String summary = section(Files.readString(README), "## SQL reference (summary)");
        for (String name : catalog.keySet()) {
            if (name.contains(".")) {
                continue;   // schema corgipile: helpers and internals, checked where the docs show them
            }
            boolean full = shown.getOrDefault(name, List.of()).stream()
                    .anyMatch(f -> f.args().stream().allMatch(a -> a.type() != null) && f.result() != null);
            if (!full) {
                failures.add("docs/in-database.md: " + name + " has no full signature (every argument with its type, "
                        + "RETURNS) in an illustrative sql block; the extension has " + describe(catalog.get(name)));
            }
            if (!Pattern.compile("\\b" + name + "\\b").matcher(summary).find()) {
                failures.add("README.md: " + name + " is not named in the SQL reference (summary)");
            }
        }
        for (String view : List.of("corgipile.training_progress")) {
            if (!summary.contains(view)) {
                failures.add("README.md: " + view + " is not named in the SQL reference (summary)");
            }
        }
        report("function(s) of the extension undocumented");
    }

    // ------------------------------------------------------------------------------------ docs -> catalog

    @Test
    void everySignatureTheDocsShowIsAFunctionOfTheExtension() throws Exception {
        int checked = 0;
        for (Path doc : List.of(README, REFERENCE)) {
            for (Map.Entry<String, List<Fn>> e : signatures(doc).entrySet()) {
                for (Fn shown : e.getValue()) {
                    compare(doc.getFileName() + ": " + e.getKey(), shown);
                    checked++;
                }
            }
            for (Fn shown : inlineSignatures(doc)) {
                compare(doc.getFileName() + ": `" + shown.name() + "(...)`", shown);
                checked++;
            }
        }
        assertTrue(checked > 30, "only " + checked + " signatures found in the docs: did the block format change?");
        report("documented signature(s) differ from the extension");
    }

    private void compare(String where, Fn shown) throws SQLException {
        List<Fn> candidates = catalog.get(shown.name());
        if (candidates == null) {
            failures.add(where + "(...) is not a function of the extension");
            return;
        }
        Fn real = candidates.stream().filter(f -> f.args().size() == shown.args().size()).findFirst().orElse(null);
        if (real == null) {
            failures.add(where + ": shown with " + shown.args().size() + " argument(s) " + names(shown.args())
                    + ", the extension has " + describe(candidates));
            return;
        }
        for (int i = 0; i < real.args().size(); i++) {
            Arg r = real.args().get(i);
            Arg s = shown.args().get(i);
            if (!r.name().equals(s.name())) {
                failures.add(where + ": argument " + (i + 1) + " is shown as " + s.name() + ", the extension's is "
                        + r.name() + " (" + describe(candidates) + ")");
                continue;
            }
            if (s.type() != null && !type(s.type()).equals(r.type())) {
                failures.add(where + ": argument " + r.name() + " is shown as " + s.type() + ", it is " + r.type());
            }
            boolean full = shown.args().stream().allMatch(a -> a.type() != null);
            if (!Objects.equals(r.defaultValue(), s.defaultValue()) && (s.defaultValue() != null || full)) {
                failures.add(where + ": argument " + r.name() + " is shown with "
                        + (s.defaultValue() == null ? "no default" : "DEFAULT " + s.defaultValue()) + ", it has "
                        + (r.defaultValue() == null ? "none" : "DEFAULT " + r.defaultValue()));
            }
        }
        if (shown.result() != null) {
            compareResult(where, shown, real);
        }
        String notes = shown.notes();
        if (notes != null) {
            for (String v : List.of("IMMUTABLE", "STABLE", "VOLATILE")) {
                if (notes.matches("(?s).*\\b" + v + "\\b.*") && !v.equals(real.volatility())) {
                    failures.add(where + ": shown as " + v + ", it is " + real.volatility());
                }
            }
            if (notes.matches("(?s).*\\bSTRICT\\b.*") && !real.strict()) {
                failures.add(where + ": shown as STRICT, it is not (NULL arguments reach the function)");
            }
            Matcher p = Pattern.compile("\\bPARALLEL (SAFE|UNSAFE|RESTRICTED)\\b").matcher(notes);
            if (p.find() && !p.group(1).equals(real.parallel())) {
                failures.add(where + ": shown as PARALLEL " + p.group(1) + ", it is PARALLEL " + real.parallel());
            }
        }
    }

    private void compareResult(String where, Fn shown, Fn real) throws SQLException {
        String s = shown.result();
        if (!shown.columns().isEmpty() || s.startsWith("TABLE")) {
            String kind = s.replaceAll("\\s+", " ").strip();
            if (kind.startsWith("SETOF ") && !kind.equals("SETOF") && !real.result().equals(kind)) {
                failures.add(where + ": returns " + real.result() + ", shown as " + kind);
            }
            List<Arg> cols = shown.columns();
            boolean truncated = !cols.isEmpty() && cols.get(cols.size() - 1).name().equals("...");
            List<Arg> compared = truncated ? cols.subList(0, cols.size() - 1) : cols;
            if (real.columns().size() < compared.size() || (!truncated && real.columns().size() != compared.size())) {
                failures.add(where + ": returns the columns " + names(real.columns()) + ", shown as "
                        + names(cols));
                return;
            }
            for (int i = 0; i < compared.size(); i++) {
                Arg r = real.columns().get(i);
                Arg c = compared.get(i);
                if (!r.name().equals(c.name())) {
                    failures.add(where + ": result column " + (i + 1) + " is " + r.name() + ", shown as "
                            + c.name() + " (the columns: " + names(real.columns()) + ")");
                } else if (c.type() != null && !type(c.type()).equals(r.type())) {
                    failures.add(where + ": result column " + r.name() + " is " + r.type() + ", shown as "
                            + c.type());
                }
            }
        } else if (!type(s).equals(real.result())) {
            failures.add(where + ": returns " + real.result() + ", shown as " + s);
        }
    }

    // ------------------------------------------------------------------------------------------- GUCs

    @Test
    void everyGucIsInTheTableWithItsDefaultRangeAndWhoMaySetIt() throws Exception {
        String guc = section(Files.readString(REFERENCE), "## Configuration (GUCs)");
        String summary = section(Files.readString(README), "## SQL reference (summary)");
        Map<String, String> rows = new LinkedHashMap<>();
        Matcher row = Pattern.compile("(?m)^\\| `(corgipile\\.[a-z_]+)` \\|([^|]*)\\|(.*)$").matcher(guc);
        while (row.find()) {
            rows.put(row.group(1), row.group(2).strip() + " | " + row.group(3));
        }
        Set<String> real = new TreeSet<>();
        try (Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(
                "SELECT name, boot_val, min_val, max_val, context, unit FROM pg_settings "
                + "WHERE name LIKE 'corgipile.%' ORDER BY name")) {
            while (rs.next()) {
                String name = rs.getString(1);
                real.add(name);
                if (!summary.contains(name)) {
                    failures.add("README.md: GUC " + name + " is not named in the SQL reference (summary)");
                }
                String doc = rows.get(name);
                if (doc == null) {
                    failures.add("docs/in-database.md: GUC " + name + " is not a row of the table under "
                            + "\"Configuration (GUCs)\"");
                    continue;
                }
                String defaultCell = doc.substring(0, doc.indexOf(" | "));
                Matcher value = Pattern.compile("^`([^`]*)`(?:\\s*\\((kB|MB|GB)\\))?").matcher(defaultCell);
                String shown = defaultCell.startsWith("empty") ? "" : value.find()
                        ? value.group(1) + (value.group(2) == null ? "" : value.group(2)) : null;
                if (shown == null || !inUnits(name, shown).equals(rs.getString(2))) {
                    failures.add("docs/in-database.md: GUC " + name + " is shown with the default '" + defaultCell
                            + "', it is " + (rs.getString(2).isEmpty() ? "empty" : rs.getString(2) + " "
                            + Objects.toString(rs.getString(6), "")).strip());
                }
                Matcher range = Pattern.compile("\\((\\d+\\s*[kMGT]?B) \\.\\. (\\d+\\s*[kMGT]?B)").matcher(defaultCell);
                if (range.find() && !(sameSize(range.group(1), rs.getString(3), rs.getString(6))
                        && sameSize(range.group(2), rs.getString(4), rs.getString(6)))) {
                    failures.add("docs/in-database.md: GUC " + name + " is shown with the range " + range.group(1)
                            + " .. " + range.group(2) + ", it is " + rs.getString(3) + " .. " + rs.getString(4) + " "
                            + rs.getString(6));
                }
                boolean anyUser = doc.contains("any user may");
                if (anyUser != rs.getString(5).equals("user")) {
                    failures.add("docs/in-database.md: GUC " + name + " is " + rs.getString(5) + "-settable (context), "
                            + (anyUser ? "the table says any user may SET it" : "the table does not say any user may SET it"));
                }
            }
        }
        for (String name : rows.keySet()) {
            if (!real.contains(name)) {
                failures.add("docs/in-database.md: the GUC table has " + name + ", the library defines no such GUC");
            }
        }
        assertTrue(!real.isEmpty(), "no corgipile.* GUC in pg_settings after LOAD 'corgipile'");
        report("GUC(s) out of step with the docs");
    }

    /** A size shown as {@code 2TB} is the limit {@code value unit} to within one unit (2TB - 1kB is 2147483647 kB). */
    private static boolean sameSize(String shown, String value, String unit) throws SQLException {
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT abs(pg_size_bytes(?) - ?::numeric * pg_size_bytes('1 ' || ?)) <= pg_size_bytes('1 ' || ?)")) {
            ps.setString(1, shown);
            ps.setString(2, value);
            ps.setString(3, unit);
            ps.setString(4, unit);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** A GUC value as pg_settings writes it (in the GUC's unit): PostgreSQL converts it, in a rolled-back SET. */
    private static String inUnits(String guc, String value) throws SQLException {
        if (value.isEmpty()) {
            return "";
        }
        conn.setAutoCommit(false);
        try (PreparedStatement ps = conn.prepareStatement(
                "SELECT set_config(?, ?, true), (SELECT setting FROM pg_settings WHERE name = ?)")) {
            ps.setString(1, guc);
            ps.setString(2, value.replace(" ", ""));
            ps.setString(3, guc);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(2);
            }
        } catch (SQLException e) {
            return "(" + value + ": " + e.getMessage() + ")";
        } finally {
            conn.rollback();
            conn.setAutoCommit(true);
        }
    }

    // ------------------------------------------------------------------------------ relations' columns

    @Test
    void theColumnTablesListTheRelationsColumns() throws Exception {
        String doc = Files.readString(REFERENCE);
        for (String[] r : new String[][] {{"corgipile.training_progress", "### `corgipile.training_progress`"},
                                          {"corgipile.models", "### Catalog `corgipile.models`"}}) {
            Map<String, String> real = new LinkedHashMap<>();
            try (PreparedStatement ps = conn.prepareStatement("SELECT attname, format_type(atttypid, atttypmod) "
                    + "FROM pg_attribute WHERE attrelid = ?::regclass AND attnum > 0 AND NOT attisdropped "
                    + "ORDER BY attnum")) {
                ps.setString(1, r[0]);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        real.put(rs.getString(1), rs.getString(2));
                    }
                }
            }
            Map<String, String> shown = new LinkedHashMap<>();   // column -> type, "" where not shown
            Matcher row = Pattern.compile("(?m)^\\| (`[^|]*?) \\|").matcher(section(doc, r[1]));
            while (row.find()) {
                Matcher cell = Pattern.compile("`([a-z_]+)((?: [a-z0-9\\[\\] ]+)?)`((?: [a-z]+\\b(?:\\[\\])?)*)")
                        .matcher(row.group(1));
                List<String> unTyped = new ArrayList<>();
                while (cell.find()) {
                    String type = (cell.group(2) + cell.group(3)).strip().replaceAll("\\s*identity$", "")
                            .replaceAll("\\s*unique$", "");
                    shown.put(cell.group(1), "");
                    if (type.isEmpty()) {
                        unTyped.add(cell.group(1));
                    } else {   // `a`, `b text`, `c timestamptz`, or `a`, `b` text: the type applies to the cell
                        shown.put(cell.group(1), type);
                        for (String u : unTyped) {
                            shown.put(u, type);
                        }
                        unTyped.clear();
                    }
                }
            }
            for (Map.Entry<String, String> c : real.entrySet()) {
                String type = shown.get(c.getKey());
                if (type == null) {
                    failures.add("docs/in-database.md: column " + c.getKey() + " (" + c.getValue() + ") of " + r[0]
                            + " is not in its table");
                } else if (!type.isEmpty() && !type(type).equals(c.getValue())) {
                    failures.add("docs/in-database.md: column " + c.getKey() + " of " + r[0] + " is shown as " + type
                            + ", it is " + c.getValue());
                }
            }
            for (String c : shown.keySet()) {
                if (!real.containsKey(c)) {
                    failures.add("docs/in-database.md: the table of " + r[0] + " lists " + c + ", a column it does not have");
                }
            }
        }
        report("column table(s) out of step");
    }

    // ------------------------------------------------------------------------------------- parsing docs

    /** Signatures at the start of a line of the illustrative sql blocks of {@code doc}, by function name. */
    private static Map<String, List<Fn>> signatures(Path doc) throws IOException {
        Map<String, List<Fn>> out = new LinkedHashMap<>();
        for (DocBlock b : DocBlock.parse(doc)) {
            if (!b.language().equals("sql") || b.mode() != DocBlock.Mode.ILLUSTRATIVE) {
                continue;
            }
            String text = b.text();
            Matcher m = SIGNATURE_START.matcher(text);
            List<int[]> starts = new ArrayList<>();
            while (m.find()) {
                starts.add(new int[] {m.start(1), m.end()});
            }
            for (int i = 0; i < starts.size(); i++) {
                int open = starts.get(i)[1];
                int close = closing(text, open - 1);
                int next = i + 1 < starts.size() ? starts.get(i + 1)[0] : text.length();
                if (close < 0 || close > next) {
                    continue;   // not a signature: a call spread over lines of an example
                }
                String name = text.substring(starts.get(i)[0], open - 1);
                String argText = stripComments(text.substring(open, close));
                String tail = returnsClause(text.substring(close + 1, next));
                if (argText.contains("'") && !argText.contains("DEFAULT") || argText.contains("=>")) {
                    continue;   // an example call, not a signature
                }
                StringBuilder notes = new StringBuilder();
                Matcher comment = Pattern.compile("--([^\\n]*)").matcher(tail);
                while (comment.find()) {
                    notes.append(comment.group(1)).append('\n');
                }
                String returns = stripComments(tail).replaceAll("\\s+", " ").strip();
                out.computeIfAbsent(name, k -> new ArrayList<>()).add(shown(name, args(argText, false), returns,
                        notes.toString()));
            }
        }
        return out;
    }

    /** The rest of the line after the argument list and its continuation lines (indented, or RETURNS ...). */
    private static String returnsClause(String tail) {
        StringBuilder out = new StringBuilder();
        String[] lines = tail.split("\n", -1);
        out.append(lines[0]);
        for (int i = 1; i < lines.length && (lines[i].startsWith(" ") || lines[i].startsWith("RETURNS")); i++) {
            out.append('\n').append(lines[i]);
        }
        return out.toString();
    }

    /** {@code `name(arg, arg type, ...) RETURNS x`} spans of the prose whose arguments are names, not values. */
    private static List<Fn> inlineSignatures(Path doc) throws IOException {
        List<Fn> out = new ArrayList<>();
        Matcher m = INLINE.matcher(Files.readString(doc));
        while (m.find()) {
            String argText = m.group(2);
            if (!EXTENSION_NAME.matcher(m.group(1)).matches()) {
                continue;   // count(*), sigmoid(z): SQL and mathematics
            }
            if (argText.contains("'") && !argText.contains("DEFAULT") || argText.contains("=>")
                    || argText.contains("...")) {
                continue;
            }
            List<Arg> args = args(argText, false);
            if (args.stream().anyMatch(a -> !IDENTIFIER.matcher(a.name()).matches())) {
                continue;   // a call with values
            }
            out.add(shown(m.group(1), args, m.group(3).strip(), null));
        }
        return out;
    }

    /** A shown signature; {@code returns} is what follows the argument list ("RETURNS ..." or nothing). */
    private static Fn shown(String name, List<Arg> args, String returns, String notes) {
        String result = null;
        List<Arg> columns = List.of();
        Matcher r = Pattern.compile("^RETURNS (.*)$").matcher(returns);
        if (r.find()) {
            result = r.group(1).strip();
            int paren = result.indexOf('(');
            if (paren >= 0) {
                int close = closing(result, paren);
                columns = args(result.substring(paren + 1, close < 0 ? result.length() : close), false);
                result = result.substring(0, paren).strip();
            }
        }
        return new Fn(name, args, result, columns, null, false, null, notes);
    }

    /** {@code a type DEFAULT x, b type, ...}, split at the commas outside parentheses and quotes. */
    private static List<Arg> args(String text, boolean fromCatalog) {
        List<Arg> out = new ArrayList<>();
        if (text.isBlank()) {
            return out;
        }
        int depth = 0;
        boolean quoted = false;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            char c = i < text.length() ? text.charAt(i) : ',';
            if (c == '\'') {
                quoted = !quoted;
            } else if (!quoted && (c == '(' || c == '[')) {
                depth++;
            } else if (!quoted && (c == ')' || c == ']')) {
                depth--;
            } else if (!quoted && depth == 0 && c == ',') {
                out.add(arg(text.substring(start, i).replaceAll("\\s+", " ").strip(), fromCatalog));
                start = i + 1;
            }
        }
        return out;
    }

    private static Arg arg(String text, boolean fromCatalog) {
        String s = text.replaceFirst("^(OUT|INOUT|VARIADIC) ", "");
        String defaultValue = null;
        int d = s.indexOf(" DEFAULT ");
        if (d >= 0) {
            defaultValue = s.substring(d + 9).strip();
            s = s.substring(0, d);
            if (fromCatalog) {   // 'logistic'::text, NULL::double precision -> 'logistic', NULL
                defaultValue = defaultValue.replaceAll("::[a-z][a-z ]*(\\[\\])?", "");
            }
        }
        int space = s.indexOf(' ');
        String name = (space < 0 ? s : s.substring(0, space)).replace("\"", "");
        String type = space < 0 ? null : s.substring(space + 1).strip();
        return new Arg(name, type, defaultValue);
    }

    /** The columns of a function's row type (SETOF corgipile.epoch_result), empty for a scalar result. */
    private static List<Arg> rowTypeColumns(long type) throws SQLException {
        List<Arg> out = new ArrayList<>();
        try (PreparedStatement ps = conn.prepareStatement("SELECT a.attname, format_type(a.atttypid, a.atttypmod) "
                + "FROM pg_type t JOIN pg_attribute a ON a.attrelid = t.typrelid "
                + "WHERE t.oid = ? AND t.typtype = 'c' AND a.attnum > 0 AND NOT a.attisdropped ORDER BY a.attnum")) {
            ps.setLong(1, type);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new Arg(rs.getString(1), rs.getString(2), null));
                }
            }
        }
        return out;
    }

    /** A type as the catalog writes it: float8 -> double precision, int -> integer (PostgreSQL resolves it). */
    private String type(String shown) throws SQLException {
        String cached = typeNames.get(shown);
        if (cached != null) {
            return cached;
        }
        String resolved;
        try (PreparedStatement ps = conn.prepareStatement("SELECT format_type(to_regtype(?), NULL)")) {
            ps.setString(1, shown);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                resolved = rs.getString(1) == null ? "(no type " + shown + ")" : rs.getString(1);
            }
        } catch (SQLException e) {
            resolved = "(no type " + shown + ": " + e.getMessage() + ")";
        }
        typeNames.put(shown, resolved);
        return resolved;
    }

    private static int closing(String text, int open) {
        int depth = 0;
        for (int i = open; i < text.length(); i++) {
            if (text.charAt(i) == '(') {
                depth++;
            } else if (text.charAt(i) == ')' && --depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static String stripComments(String sql) {
        return sql.replaceAll("--[^\\n]*", "");
    }

    /** The text from {@code heading} to the next heading of the same or a higher level. */
    private static String section(String doc, String heading) {
        int start = doc.indexOf("\n" + heading);
        assertTrue(start >= 0, "no heading '" + heading + "'");
        String level = heading.substring(0, heading.indexOf(' ') + 1);
        Matcher next = Pattern.compile("\n#{1," + (level.length() - 1) + "} ").matcher(doc);
        int end = next.find(start + heading.length()) ? next.start() : doc.length();
        return doc.substring(start, end);
    }

    private static String names(List<Arg> args) {
        return "(" + String.join(", ", args.stream().map(Arg::name).toList()) + ")";
    }

    private static String describe(List<Fn> fns) {
        return String.join(" / ", fns.stream().map(f -> f.name() + "(" + String.join(", ", f.args().stream()
                .map(a -> a.name() + " " + a.type() + (a.defaultValue() == null ? "" : " DEFAULT " + a.defaultValue()))
                .toList()) + ") RETURNS " + f.result()).toList());
    }

    private void report(String what) {
        if (!failures.isEmpty()) {
            fail(failures.size() + " " + what + ":\n  " + String.join("\n  ", failures));
        }
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("corgipile")) && Files.exists(p.resolve("README.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("the repository root (with ./corgipile) is not above "
                + Path.of("").toAbsolutePath());
    }
}
