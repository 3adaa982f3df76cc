package org.corgipile.docexamples;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Parameter;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;

import org.corgipile.docexamples.DocExamplesIT.ExampleFailure;

/**
 * A Java snippet of the docs compiled as written: its {@code import} lines stay imports, a {@code // given: Type
 * name, ...} line becomes the parameters of the method the rest of the lines are the body of. Compiler errors are
 * reported at the line of the Markdown file.
 */
final class JavaSnippet {
    private JavaSnippet() {
    }

    /** Compiles the snippet; runs it when {@code values} (by parameter name) is not null. */
    static void compileAndRun(DocBlock b, Map<String, Object> values) throws Exception {
        List<String> imports = new ArrayList<>();
        List<Integer> importLines = new ArrayList<>();
        List<String> body = new ArrayList<>();
        List<Integer> bodyLines = new ArrayList<>();
        String given = "";
        for (int i = 0; i < b.lines().size(); i++) {
            String l = b.lines().get(i);
            String s = l.strip();
            if (s.startsWith("import ")) {
                imports.add(l);
                importLines.add(b.line() + i);
            } else if (s.startsWith("// given:")) {
                given = s.substring("// given:".length()).strip();
            } else {
                body.add(l);
                bodyLines.add(b.line() + i);
            }
        }
        String cls = "Snippet_" + b.file().getFileName().toString().replaceAll("\\W", "_") + "_" + b.line();
        List<String> src = new ArrayList<>();
        List<Integer> docLine = new ArrayList<>();
        src.addAll(imports);
        docLine.addAll(importLines);
        src.add("public class " + cls + " { public static void run(" + given + ") throws Exception {");
        docLine.add(b.line());
        src.addAll(body);
        docLine.addAll(bodyLines);
        src.add("}}");
        docLine.add(b.line() + b.lines().size());

        Path dir = Files.createTempDirectory("corgipile-snippet");
        Path file = Files.writeString(dir.resolve(cls + ".java"), String.join("\n", src) + "\n");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diags = new DiagnosticCollector<>();
        try (StandardJavaFileManager fm = javac.getStandardFileManager(diags, Locale.ROOT, null)) {
            boolean ok = javac.getTask(null, fm, diags, List.of("-classpath", System.getProperty("java.class.path"),
                    "-d", dir.toString(), "-parameters", "-proc:none", "-Xlint:none"), null,
                    fm.getJavaFileObjects(file)).call();
            if (!ok) {
                StringBuilder msg = new StringBuilder(b.where() + ": Java snippet does not compile:");
                for (Diagnostic<? extends JavaFileObject> d : diags.getDiagnostics()) {
                    if (d.getKind() == Diagnostic.Kind.ERROR) {
                        int n = (int) d.getLineNumber();
                        String at = n >= 1 && n <= docLine.size() ? String.valueOf(docLine.get(n - 1)) : "?";
                        msg.append("\n  ").append(b.file().getFileName()).append(':').append(at).append(": ")
                                .append(d.getMessage(Locale.ROOT).lines().findFirst().orElse(""));
                    }
                }
                throw new ExampleFailure(msg.toString());
            }
        }
        if (values == null) {
            return;
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {dir.toUri().toURL()},
                JavaSnippet.class.getClassLoader())) {
            Method run = null;
            for (Method m : loader.loadClass(cls).getMethods()) {
                if (m.getName().equals("run")) {
                    run = m;
                }
            }
            List<Object> args = new ArrayList<>();
            for (Parameter p : run.getParameters()) {
                if (!values.containsKey(p.getName())) {
                    throw new ExampleFailure(b.where() + ": the snippet needs '" + p.getName() + "', which the runner "
                            + "provides only as " + values.keySet() + "; mark the block <!-- example: check -->");
                }
                args.add(values.get(p.getName()));
            }
            try {
                run.invoke(null, args.toArray());
            } catch (InvocationTargetException e) {
                Throwable t = e.getCause();
                String state = t instanceof SQLException s ? " (SQLSTATE " + s.getSQLState() + ")" : "";
                throw new ExampleFailure(b.where() + ": Java snippet failed: " + t + state);
            }
        } finally {
            for (Object v : values.values()) {
                if (v instanceof AutoCloseable c) {
                    c.close();
                }
            }
        }
    }
}
