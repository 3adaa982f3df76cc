package org.corgipile.datasets.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;

import org.corgipile.datasets.InputFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxSourceTest {
    @TempDir
    Path dir;

    /** Writes an idx3 images file of {@code n} 2x2 images (pixel = 10*i + j) and an idx1 labels file. */
    static void writeIdx(Path images, Path labels, int n, boolean gzip, int imageMagic, int truncateImagesBy)
            throws IOException {
        byte[] pixels = new byte[n * 4];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 4; j++) {
                pixels[i * 4 + j] = (byte) (10 * i + j * 60);
            }
        }
        try (DataOutputStream out = new DataOutputStream(open(images, gzip))) {
            out.writeInt(imageMagic);
            out.writeInt(n);
            out.writeInt(2);
            out.writeInt(2);
            out.write(pixels, 0, pixels.length - truncateImagesBy);
        }
        try (DataOutputStream out = new DataOutputStream(open(labels, gzip))) {
            out.writeInt(0x00000801);
            out.writeInt(n);
            for (int i = 0; i < n; i++) {
                out.writeByte(i % 3);
            }
        }
    }

    private static OutputStream open(Path p, boolean gzip) throws IOException {
        OutputStream o = Files.newOutputStream(p);
        return gzip ? new GZIPOutputStream(o) : o;
    }

    @Test
    void readsGzippedPairAndScalesPixels() throws IOException {
        Path img = dir.resolve("train-images-idx3-ubyte.gz");
        writeIdx(img, dir.resolve("train-labels-idx1-ubyte.gz"), 5, true, 0x00000803, 0);
        IdxSource s = new IdxSource(img, IdxSource.defaultLabels(img));
        assertEquals(4, s.shape().dimension());
        List<Sources.Row> rows = Sources.drain(s);
        assertEquals(5, rows.size());
        assertEquals(2, rows.get(2).label());
        assertArrayEquals(new double[] {20 / 255.0, 80 / 255.0, 140 / 255.0, 200 / 255.0}, rows.get(2).dense(), 1e-12);
    }

    @Test
    void wrongMagicIsRejected() throws IOException {
        Path img = dir.resolve("x-images-idx3-ubyte");
        writeIdx(img, dir.resolve("x-labels-idx1-ubyte"), 2, false, 0x00000903, 0);
        InputFormatException e = assertThrows(InputFormatException.class,
                () -> new IdxSource(img, IdxSource.defaultLabels(img)));
        assertEquals("x-images-idx3-ubyte: header: wrong idx magic 0x00000903 (expected 0x00000803: unsigned "
                + "bytes, N dimensions)", e.getMessage());
    }

    @Test
    void truncatedImagesNameTheRecord() throws IOException {
        Path img = dir.resolve("y-images-idx3-ubyte");
        writeIdx(img, dir.resolve("y-labels-idx1-ubyte"), 4, false, 0x00000803, 3);
        IdxSource s = new IdxSource(img, IdxSource.defaultLabels(img));
        InputFormatException e = assertThrows(InputFormatException.class, () -> Sources.drain(s));
        assertEquals("y-images-idx3-ubyte: record 4: file is truncated (header announces 4 images of 4 bytes)",
                e.getMessage());
    }
}
