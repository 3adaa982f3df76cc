package org.corgipile.operators;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What {@link StorageProbe} found, kept in a small file so that a device is timed once, not by every new session
 * (0.3-0.4 s on a disk) and by every server of a sharded call. One entry per <b>key</b>: the whole disk under the
 * probed file ({@code major:minor}, {@link StorageProbe#wholeDisk}) and the blkio read limits this process is under on
 * it (the bench's emulated devices; none on a real one), valid for the <b>boot</b> that measured it
 * ({@code /proc/sys/kernel/random/boot_id}): a file moved to another disk, a new throttle, or a copy of the file
 * restored on another machine (device numbers repeat across machines, boot ids do not) or after a reboot is a miss,
 * and the device is timed again.
 *
 * <p>Writes are atomic (a temporary file renamed over the old one), so concurrent backends never read half a file; two
 * that probe at once both write, the last one wins. An entry that cannot be written (a read-only directory) is kept
 * in this JVM instead. The file holds timings only, no data of any relation.
 */
public final class StorageProbeCache {
    private static final String BOOT_ID = "/proc/sys/kernel/random/boot_id";
    private static final Map<String, String> UNWRITTEN = new ConcurrentHashMap<>();

    private final Path file;

    /** The cache kept in {@code file} (created on the first {@link #store}). */
    public StorageProbeCache(Path file) {
        this.file = file;
    }

    /** A timing read from the cache, and when it was measured. */
    public record Entry(StorageProbe.Timing timing, Instant measuredAt) {
    }

    /** The cached timing of the device under {@code probed}, or empty (never probed, or probed on another key). */
    public Optional<Entry> lookup(Path probed) {
        try {
            String key = key(probed);
            String line = load().getProperty(key, UNWRITTEN.get(key));
            return line == null ? Optional.empty() : parse(line, bootId());
        } catch (IOException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** Records {@code timing} as the device's under {@code probed}, measured now. */
    public void store(Path probed, StorageProbe.Timing timing) {
        String key;
        String line;
        try {
            key = key(probed);
            line = format(timing, Instant.now(), bootId());
        } catch (IOException | RuntimeException e) {
            return;
        }
        try {
            Properties p = load();
            p.setProperty(key, line);
            write(p);
            UNWRITTEN.remove(key);
        } catch (IOException | RuntimeException e) {
            UNWRITTEN.put(key, line);
        }
    }

    /**
     * The cache key of the device under {@code probed}: its whole disk and this process's blkio read limits on it
     * ("254:0", or "254:0 150 IOPS 157286400 B/s" under the bench's hdd throttle).
     */
    static String key(Path probed) throws IOException {
        String disk = StorageProbe.wholeDisk(probed).orElse("nodev");
        Optional<StorageProbe.Timing> limits = StorageProbe.throttle(probed);
        return limits.map(t -> String.format(Locale.ROOT, "%s %d IOPS %.0f B/s", disk,
                Math.round(1 / t.accessSeconds()), t.bytesPerSecond())).orElse(disk);
    }

    static String format(StorageProbe.Timing t, Instant at, String boot) {
        // the throttle's description last: it is free text
        return String.format(Locale.ROOT, "%s %s %d %s %s %s", Double.toString(t.accessSeconds()),
                Double.toString(t.bytesPerSecond()), t.requestPages(), at, boot,
                t.throttle() == null ? "" : t.throttle());
    }

    static Optional<Entry> parse(String line, String boot) {
        String[] f = line.split(" ", 6);
        if (f.length < 5 || !f[4].equals(boot)) {
            return Optional.empty();
        }
        String throttle = f.length == 6 && !f[5].isEmpty() ? f[5] : null;
        return Optional.of(new Entry(new StorageProbe.Timing(Double.parseDouble(f[0]), Double.parseDouble(f[1]),
                throttle, Integer.parseInt(f[2])), Instant.parse(f[3])));
    }

    private static String bootId() throws IOException {
        Path p = Path.of(BOOT_ID);
        return Files.isReadable(p) ? Files.readString(p).trim() : "unknown";
    }

    private Properties load() throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (NoSuchFileException e) {
            // nothing cached yet
        }
        return p;
    }

    private void write(Properties p) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        Path tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
        try {
            try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
                p.store(w, "corgipile: storage probe results (per disk and blkio limits, this boot); delete this "
                        + "file, or call corgipile.storage_probe(relation, refresh => true), to time the device again");
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
