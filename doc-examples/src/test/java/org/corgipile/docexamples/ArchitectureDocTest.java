package org.corgipile.docexamples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

/**
 * docs/architecture.md matches the code: every class it names (a CamelCase word) is a Java file of the repository,
 * every file it names in backticks exists, and its module table lists exactly the modules of the root pom.
 */
class ArchitectureDocTest {
    private static final Path ROOT = findRoot();
    private static final Path DOC = ROOT.resolve("docs/architecture.md");
    /** CamelCase words: two or more capitalised parts ({@code BlockShuffle}, {@code DocExamplesIT}). */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b[A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+\\b");
    /** CamelCase words of the prose that are names of things, not classes. */
    private static final Set<String> NOT_CLASSES = Set.of("PostgreSQL", "OpenCL");
    private static final Pattern FILE_NAME = Pattern.compile("`([\\w.-]+\\.(?:c|h|sql|control|md|xml))`");
    private static final Pattern TABLE_MODULE = Pattern.compile("(?m)^\\| `([a-z-]+)` \\|");

    @Test
    void everyClassItNamesExists() throws IOException {
        Set<String> javaFiles = new TreeSet<>();
        Set<String> files = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(ROOT)) {
            walk.filter(p -> !p.toString().contains("/target/") && !p.toString().contains("/.git/")
                            && !p.toString().contains("/node_modules/") && Files.isRegularFile(p))
                    .forEach(p -> {
                        String name = p.getFileName().toString();
                        files.add(name);
                        if (name.endsWith(".java")) {
                            javaFiles.add(name.substring(0, name.length() - 5));
                        }
                    });
        }
        String doc = Files.readString(DOC);
        List<String> missing = new ArrayList<>();
        Matcher m = CLASS_NAME.matcher(doc);
        int named = 0;
        while (m.find()) {
            named++;
            if (!NOT_CLASSES.contains(m.group()) && !javaFiles.contains(m.group())) {
                missing.add(m.group());
            }
        }
        Matcher f = FILE_NAME.matcher(doc);
        while (f.find()) {
            if (!files.contains(f.group(1))) {
                missing.add(f.group(1));
            }
        }
        assertTrue(named > 30, "docs/architecture.md names only " + named + " classes");
        assertEquals(List.of(), missing, "named in docs/architecture.md but not in the sources");
    }

    @Test
    void itsModuleTableListsEveryModule() throws IOException {
        Set<String> modules = new TreeSet<>();
        Matcher mod = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(ROOT.resolve("pom.xml")));
        while (mod.find()) {
            modules.add(mod.group(1));
        }
        Set<String> documented = new TreeSet<>();
        Matcher row = TABLE_MODULE.matcher(Files.readString(DOC));
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertEquals(modules, documented, "modules of pom.xml vs the module table of docs/architecture.md");
    }

    private static Path findRoot() {
        for (Path p = Path.of("").toAbsolutePath(); p != null; p = p.getParent()) {
            if (Files.isExecutable(p.resolve("corgipile")) && Files.exists(p.resolve("docs/architecture.md"))) {
                return p;
            }
        }
        throw new IllegalStateException("the repository root is not above " + Path.of("").toAbsolutePath());
    }
}
