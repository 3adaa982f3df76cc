package org.corgipile.datasets.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.LabelType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvSourceTest {
    @TempDir
    Path dir;

    private Path write(String text) throws IOException {
        Path p = dir.resolve("t.csv");
        Files.writeString(p, text);
        return p;
    }

    @Test
    void labelColumnByHeaderNameAndQuotedFields() throws IOException {
        Path f = write("x1,label,\"x 2\"\n1.5,1,\"2\"\n\n-3,0, 4e-1 \n");
        CsvSource s = new CsvSource(f, ImportOptions.of(FileFormat.CSV));
        assertEquals(LabelType.INT, s.shape().labelType());
        assertEquals(2, s.shape().dimension());
        List<Sources.Row> rows = Sources.drain(s);
        assertEquals(2, rows.size());
        assertEquals(1, rows.get(0).label());
        assertArrayEquals(new double[] {1.5, 2}, rows.get(0).dense());
        assertArrayEquals(new double[] {-3, 0.4}, rows.get(1).dense());
    }

    @Test
    void labelColumnByNumberWithoutHeaderAndOtherDelimiter() throws IOException {
        Path f = write("1;2;0.5\n3;4;1.5\n");
        CsvSource s = new CsvSource(f, ImportOptions.of(FileFormat.CSV).header(false).delimiter(';').labelColumn("2"));
        assertEquals(LabelType.FLOAT8, s.shape().labelType());
        List<Sources.Row> rows = Sources.drain(s);
        assertEquals(1.5, rows.get(1).label());
        assertArrayEquals(new double[] {3, 4}, rows.get(1).dense());
    }

    /** A gzip file cut inside its header: the message says so (it said "unreadable (null)"). */
    @Test
    void truncatedGzipSaysTheFileEndsEarly() throws IOException {
        Path f = dir.resolve("t.csv.gz");
        Files.write(f, new byte[] {0x1f, (byte) 0x8b, 8, 0, 0});
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> Sources.drain(new CsvSource(f, ImportOptions.of(FileFormat.CSV))));
        assertEquals("t.csv.gz: line 1: unreadable (the file ends early: truncated?)", e.getMessage());
    }

    @Test
    void raggedRowNamesTheLine() throws IOException {
        Path f = write("a,b,label\n1,2,0\n1,2\n");
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new CsvSource(f, ImportOptions.of(FileFormat.CSV)));
        assertEquals("t.csv: line 3: 2 fields, expected 3 (as in the first line)", e.getMessage());
    }

    @Test
    void otherMalformedRows() throws IOException {
        assertMessage("a,label\n1,\n", "line 2: field 2 '' is not a finite number");
        assertMessage("a,label\n\"1,0\n", "line 2: unterminated quote in field 1 (quoted fields cannot span lines)");
        assertMessage("a,label\n\"1\"x,0\n", "line 2: text after a closing quote in field 1");
        assertMessage("a,b\n1,2\n", null);
        Path f = write("a,b\n1,2\n");
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new CsvSource(f, ImportOptions.of(FileFormat.CSV).labelColumn("y")));
        assertEquals("t.csv: header: label column 'y' is neither a header name nor a field number in [0, 1]",
                e.getMessage());
        Path empty = write("");
        e = assertThrows(InputFormatException.class, () -> new CsvSource(empty, ImportOptions.of(FileFormat.CSV)));
        assertEquals("t.csv: line 1: empty file (expected a header or a data row)", e.getMessage());
    }

    /** A CSV whose only line was a header loaded 0 rows and exited 0. */
    @Test
    void headerOnlyCsvSaysThereAreNoDataRows() throws IOException {
        assertMessage("a,b,label\n", "line 2: no data rows after the header (if the first line is data, pass "
                + "--no-header)");
        assertMessage("\na,b,label\n\n\n", "line 5: no data rows after the header (if the first line is data, pass "
                + "--no-header)");
        Path f = write("1,2,0\n");
        assertEquals(1, Sources.drain(new CsvSource(f, ImportOptions.of(FileFormat.CSV).header(false))).size());
    }

    private void assertMessage(String text, String expected) throws IOException {
        Path f = write(text);
        if (expected == null) {
            Sources.drain(new CsvSource(f, ImportOptions.of(FileFormat.CSV)));
            return;
        }
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new CsvSource(f, ImportOptions.of(FileFormat.CSV)));
        assertEquals("t.csv: " + expected, e.getMessage());
    }
}
