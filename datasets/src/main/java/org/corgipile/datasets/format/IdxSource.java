package org.corgipile.datasets.format;

import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

import org.corgipile.datasets.InputFormatException;
import org.corgipile.datasets.LabelType;
import org.corgipile.datasets.Record;
import org.corgipile.datasets.RecordSource;
import org.corgipile.datasets.TableShape;

/**
 * MNIST-style idx files (plain or gzipped): an images file (magic {@code 00 00 08 03}, count, rows, cols, then
 * unsigned bytes) and a labels file (magic {@code 00 00 08 01}, count, then one unsigned byte per image). Pixels
 * become features scaled to [0, 1]; labels stay 0..K-1 ({@code int}).
 */
public final class IdxSource implements RecordSource {
    private static final int UBYTE = 0x08;

    private final String name;
    private final String labelsName;
    private final DataInputStream images;
    private final DataInputStream labels;
    private final long count;
    private final int width;
    private final byte[] pixels;
    private long record;

    public IdxSource(Path imagesFile, Path labelsFile) throws IOException {
        this.name = imagesFile.getFileName().toString();
        this.labelsName = labelsFile.getFileName().toString();
        org.corgipile.datasets.DatasetLoader.requireReadable(labelsFile, " (the idx labels file); pass --labels FILE");
        this.images = new DataInputStream(TextInput.open(imagesFile));
        DataInputStream lbl = null;
        try {
            lbl = new DataInputStream(TextInput.open(labelsFile));
            int[] imgDims = header(images, name, -1);
            int[] lblDims = header(lbl, labelsName, 1);
            if (imgDims.length < 2) {
                throw new InputFormatException(name, "header", "an images file needs at least 2 dimensions, found "
                        + imgDims.length);
            }
            if (imgDims[0] != lblDims[0]) {
                throw new InputFormatException(labelsName, "header", "holds " + lblDims[0] + " labels but " + name
                        + " holds " + imgDims[0] + " images");
            }
            long w = 1;
            for (int i = 1; i < imgDims.length; i++) {
                w *= imgDims[i];
            }
            if (w < 1 || w > ImportOptions.MAX_DENSE_DIMENSION) {
                throw new InputFormatException(name, "header", "image size " + w + " is outside [1, "
                        + ImportOptions.MAX_DENSE_DIMENSION + "]");
            }
            this.labels = lbl;
            this.count = imgDims[0];
            this.width = (int) w;
        } catch (IOException | RuntimeException e) {
            images.close();
            if (lbl != null) {
                lbl.close();
            }
            throw e;
        }
        this.pixels = new byte[width];
    }

    /** Derives the labels file name from an images file name ({@code train-images-idx3-ubyte.gz} style). */
    public static Path defaultLabels(Path images) {
        String n = images.getFileName().toString();
        String l = n.replace("images-idx3", "labels-idx1").replace("images.idx3", "labels.idx1");
        if (l.equals(n)) {
            throw new IllegalArgumentException("cannot derive the labels file from '" + n
                    + "' (expected '...images-idx3...'); pass --labels FILE");
        }
        return images.resolveSibling(l);
    }

    private static int[] header(DataInputStream in, String file, int wantDims) throws IOException {
        try {
            int magic = in.readInt();
            int type = (magic >>> 8) & 0xff;
            int dims = magic & 0xff;
            if ((magic >>> 16) != 0 || type != UBYTE || dims == 0 || wantDims > 0 && dims != wantDims) {
                throw new InputFormatException(file, "header", String.format(
                        "wrong idx magic 0x%08x (expected 0x000008%02x: unsigned bytes, %s dimensions)", magic,
                        wantDims > 0 ? wantDims : 3, wantDims > 0 ? Integer.toString(wantDims) : "N"));
            }
            int[] d = new int[dims];
            for (int i = 0; i < dims; i++) {
                d[i] = in.readInt();
                if (d[i] < 0) {
                    throw new InputFormatException(file, "header", "negative dimension " + d[i]);
                }
            }
            return d;
        } catch (EOFException e) {
            throw new InputFormatException(file, "header", "file ends inside the header", e);
        }
    }

    @Override
    public TableShape shape() {
        return TableShape.dense(LabelType.INT, width);
    }

    @Override
    public long expectedRows() {
        return count;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean next(Record r) throws IOException {
        if (record == count) {
            if (images.read() >= 0) {
                throw new InputFormatException(name, "record " + (count + 1), "data after the last of the "
                        + count + " images announced in the header");
            }
            return false;
        }
        record++;
        try {
            images.readFully(pixels);
        } catch (EOFException e) {
            throw new InputFormatException(name, "record " + record, "file is truncated (header announces "
                    + count + " images of " + width + " bytes)", e);
        } catch (IOException e) {
            throw new InputFormatException(name, "record " + record, "unreadable (" + NumberedLines.reason(e) + ")", e);
        }
        int y;
        try {
            y = labels.readUnsignedByte();
        } catch (EOFException e) {
            throw new InputFormatException(labelsName, "record " + record, "file is truncated (header announces "
                    + count + " labels)", e);
        } catch (IOException e) {
            throw new InputFormatException(labelsName, "record " + record, "unreadable (" + NumberedLines.reason(e) + ")", e);
        }
        double[] d = r.dense(width);
        for (int i = 0; i < width; i++) {
            d[i] = (pixels[i] & 0xff) / 255.0;
        }
        r.label = y;
        return true;
    }

    @Override
    public void close() throws IOException {
        try {
            images.close();
        } finally {
            labels.close();
        }
    }
}
