package org.corgipile.datasets.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.corgipile.datasets.FeatureKind;
import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.LabelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LibsvmSourceTest {
    @TempDir
    Path dir;

    private Path write(String name, String text) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, text);
        return p;
    }

    @Test
    void minusOnePlusOneBecomeZeroOneAndSmallFilesAreDense() throws IOException {
        Path f = write("a.svm", "+1 1:0.5 3:2 # comment\n\n-1 2:1.5 qid:7 3:-1\n# only a comment\n");
        LibsvmSource s = new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM));
        assertEquals(FeatureKind.DENSE, s.shape().kind());
        assertEquals(LabelType.INT, s.shape().labelType());
        assertEquals(3, s.shape().dimension());
        assertEquals(2, s.expectedRows());
        assertEquals("-1->0, 1->1", s.labelMapping());
        List<Sources.Row> rows = Sources.drain(s);
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).label());
        assertArrayEquals(new double[] {0.5, 0, 2}, rows.get(0).dense());
        assertEquals(0, rows.get(1).label());
        assertArrayEquals(new double[] {0, 1.5, -1}, rows.get(1).dense());
    }

    @Test
    void sparseKeepsZeroBasedIndicesAndGzipIsDetected() throws IOException {
        Path f = dir.resolve("b.svm.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write("0.25 10:1 5000:2\n1.75 7:3\n".getBytes(StandardCharsets.UTF_8));
        }
        LibsvmSource s = new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM));
        assertEquals(FeatureKind.SPARSE, s.shape().kind());
        assertEquals(LabelType.FLOAT8, s.shape().labelType(), "non-integer labels are regression targets");
        List<Sources.Row> rows = Sources.drain(s);
        assertArrayEquals(new int[] {9, 4999}, rows.get(0).indices());
        assertArrayEquals(new double[] {1, 2}, rows.get(0).values());
        assertEquals(1.75, rows.get(1).label());
    }

    @Test
    void multiClassLabelsOneToKBecomeZeroToKMinusOne() throws IOException {
        Path f = write("c.svm", "3 1:1\n1 1:2\n2 1:3\n");
        List<Sources.Row> rows = Sources.drain(new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM)));
        assertEquals(List.of(2.0, 0.0, 1.0), rows.stream().map(Sources.Row::label).toList());
    }

    @Test
    void requestedDimensionPadsDenseRows() throws IOException {
        Path f = write("d.svm", "1 2:1\n0 1:1\n");
        LibsvmSource s = new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM).dimension(5).kind(FeatureKind.DENSE));
        assertEquals(5, s.shape().dimension());
        assertArrayEquals(new double[] {0, 1, 0, 0, 0}, Sources.drain(s).get(0).dense());
    }

    @Test
    void badTokenNamesFileLineAndReason() throws IOException {
        Path f = write("bad.svm", "1 1:1\n0 1:1 x:2\n");
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM)));
        assertEquals("bad.svm", e.file());
        assertEquals("line 2", e.location());
        assertEquals("bad.svm: line 2: bad feature index in 'x:2' (expected an integer in [1, 2147483647])",
                e.getMessage());
    }

    @Test
    void otherMalformedLines() throws IOException {
        assertMessage("1 3:1 2:1\n", "line 1: feature index 2 after 3 (indices must be strictly increasing)");
        assertMessage("1 1:1\nabc 1:1\n", "line 2: bad label 'abc' (expected a finite number)");
        assertMessage("1 1:nan\n", "line 1: bad feature value in '1:nan' (expected a finite number)");
        assertMessage("1 0:1\n", "line 1: bad feature index in '0:1' (expected an integer in [1, 2147483647])");
        assertMessage("1 4\n", "line 1: bad feature token '4' (expected INDEX:VALUE)");
        Path f = write("e.svm", "1 9:1\n");
        InputFormatException e = assertThrows(InputFormatException.class, () -> new LibsvmSource(f,
                ImportOptions.of(FileFormat.LIBSVM).dimension(4)));
        assertEquals("e.svm: line 1: feature index 9 exceeds the requested dimension 4", e.getMessage());
        Path g = write("g.svm", "0.5 1:1\n");
        e = assertThrows(InputFormatException.class, () -> new LibsvmSource(g,
                ImportOptions.of(FileFormat.LIBSVM).labelType(LabelType.INT)));
        assertEquals("g.svm: line 1: label type int needs integer class labels; use --label-type float8 for "
                + "regression", e.getMessage());
    }

    @Test
    void corruptGzipIsAnInputErrorNamingTheLine() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 5000; i++) {
            sb.append(i % 2).append(" 1:").append(i * 0.37).append(" 2:").append(i).append('\n');
        }
        Path f = dir.resolve("corrupt.svm.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
            out.write(sb.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] b = Files.readAllBytes(f);
        for (int i = b.length / 2; i < b.length / 2 + 16; i++) {
            b[i] ^= 0x5a;
        }
        Files.write(f, b);
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> Sources.drain(new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM))));
        assertEquals("corrupt.svm.gz", e.file());
        org.junit.jupiter.api.Assertions.assertTrue(e.location().startsWith("line "), e.getMessage());
    }

    private void assertMessage(String text, String expected) throws IOException {
        Path f = write("m.svm", text);
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new LibsvmSource(f, ImportOptions.of(FileFormat.LIBSVM)));
        assertEquals("m.svm: " + expected, e.getMessage());
    }
}
