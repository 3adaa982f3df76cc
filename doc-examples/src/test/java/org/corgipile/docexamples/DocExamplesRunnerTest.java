package org.corgipile.docexamples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runner's own parts: blocks and markers with their lines, shell words, and a failing Java snippet's message. */
class DocExamplesRunnerTest {

    @Test
    void blocksCarryLanguageModeAndFirstContentLine(@TempDir Path dir) throws Exception {
        Path md = Files.writeString(dir.resolve("x.md"), String.join("\n",
                "# title", "", "```sql", "SELECT 1;", "```", "", "<!-- example: check -->", "```sh",
                "./corgipile train t \\", "   --epochs 2   # comment", "```", "```", "plain", "```", ""));
        List<DocBlock> blocks = DocBlock.parse(md);
        assertEquals(3, blocks.size());
        assertEquals("sql", blocks.get(0).language());
        assertEquals(4, blocks.get(0).line());
        assertEquals(DocBlock.Mode.RUN, blocks.get(0).mode());
        assertEquals(DocBlock.Mode.CHECK, blocks.get(1).mode());
        assertEquals("x.md:9", blocks.get(1).where());
        List<ShellLine> cmds = ShellLine.commands(blocks.get(1).lines(), Map.of());
        assertEquals(List.of("./corgipile", "train", "t", "--epochs", "2"), cmds.get(0).words());
        assertEquals("", blocks.get(2).language());
    }

    @Test
    void unknownMarkerIsAnError(@TempDir Path dir) throws Exception {
        Path md = Files.writeString(dir.resolve("y.md"), "<!-- example: sometimes -->\n```sql\nSELECT 1;\n```\n");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DocBlock.parse(md));
        assertTrue(e.getMessage().startsWith("y.md:1: unknown example marker"), e.getMessage());
    }

    @Test
    void shellWordsQuotesVariablesAndEnvironment() {
        ShellLine l = ShellLine.split(0, "A=1 ./corgipile predict m -q 'SELECT id, \"x\" FROM t' --url \"$EXT\" # c",
                Map.of("EXT", "jdbc:postgresql://h/d"));
        assertEquals(List.of("A=1"), l.env());
        assertEquals(List.of("./corgipile", "predict", "m", "-q", "SELECT id, \"x\" FROM t", "--url",
                "jdbc:postgresql://h/d"), l.words());
        assertThrows(IllegalArgumentException.class, () -> ShellLine.split(0, "echo $UNDOCUMENTED", Map.of()));
    }

    @Test
    void snippetMissingAnImportFailsAtItsMarkdownLine(@TempDir Path dir) throws Exception {
        Path md = Files.writeString(dir.resolve("z.md"), String.join("\n",
                "text", "```java", "import java.util.List;", "// given: String url", "",
                "List<String> a = List.of(url);", "Map<String, String> m = Map.of();", "```", ""));
        DocBlock b = DocBlock.parse(md).get(0);
        DocExamplesIT.ExampleFailure f = assertThrows(DocExamplesIT.ExampleFailure.class,
                () -> JavaSnippet.compileAndRun(b, null));
        assertTrue(f.getMessage().startsWith("z.md:3: Java snippet does not compile:"), f.getMessage());
        assertTrue(f.getMessage().contains("z.md:7: cannot find symbol"), f.getMessage());
    }
}
