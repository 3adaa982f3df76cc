package org.corgipile.gpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Aparapi's JNI library is loaded from one content-addressed file, not from a fresh {@code Aparapi<random>} temp
 * directory per JVM (which PostgreSQL backends, ending without a JVM shutdown, would leave behind); a second JVM
 * reuses the same file.
 */
class NativeLibraryTest {

    @Test
    void loadsFromAStableFileAndLeavesNoAparapiTempDirectories(@TempDir Path tmp) throws Exception {
        List<String> jvm = List.of("-Djava.io.tmpdir=" + tmp);
        ForkedJvm.Result first = ForkedJvm.run(Map.of(), jvm, OpenClProbeMain.class, "natives");
        ForkedJvm.Result second = ForkedJvm.run(Map.of(), jvm, OpenClProbeMain.class, "natives");
        for (ForkedJvm.Result r : List.of(first, second)) {
            assertEquals(0, r.exitCode(), r.output());
            assertTrue(r.output().contains("SELECTED openCl=true"), r.output());
            String natives = value(r, "NATIVE ");
            assertTrue(natives.startsWith(tmp.resolve("corgipile-aparapi-").toString()), natives);
            assertTrue(natives.endsWith("/libaparapi.so"), natives);
            assertEquals(List.of(natives), r.lines().stream().filter(l -> l.startsWith("MAPPED "))
                    .map(l -> l.substring(7)).toList(), "the only libaparapi mapped");
            List<String> entries = r.lines().stream().filter(l -> l.startsWith("TMP ")).map(l -> l.substring(4))
                    .toList();
            assertEquals(1, entries.size(), "tmpdir holds only corgipile-aparapi-*: " + entries);
            assertTrue(entries.get(0).startsWith("corgipile-aparapi-"), entries.toString());
        }
        assertEquals(value(first, "NATIVE "), value(second, "NATIVE "));
    }

    private static String value(ForkedJvm.Result r, String prefix) {
        return r.lines().stream().filter(l -> l.startsWith(prefix)).map(l -> l.substring(prefix.length()))
                .findFirst().orElseThrow(() -> new AssertionError("no " + prefix + " in:\n" + r.output()));
    }
}
