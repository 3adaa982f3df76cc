package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One cgroup-v1 group of this benchmark process under a controller's hierarchy:
 * {@code <root>/corgipile-<profile>-<pid>}. The one place for the cgroup-v1 mechanics both device emulations need —
 * whether the controller can be used here, creating (or reusing and emptying a group left by a killed run with the
 * same name), moving processes in, reading and writing control files, and on {@link #close()} moving the remaining
 * processes back to the root group and removing the directory. {@link BlkioThrottle} (blkio) and
 * {@link PageCacheLimit} (memory) add their controller's files on top.
 *
 * <p>One group per benchmark process: two runs on one machine (a test suite beside a benchmark) must not share,
 * and then remove, each other's group.
 */
public final class CgroupV1Group implements AutoCloseable {
    private final Path root;
    private final Path dir;

    private CgroupV1Group(Path root, Path dir) {
        this.root = root;
        this.dir = dir;
    }

    /**
     * Why the controller at {@code root} cannot be used here, or empty when it can.
     *
     * @param controlFile  a file only a usable controller has (e.g. {@code blkio.throttle.read_iops_device})
     * @param action       what needs it, for the messages ("blkio throttling")
     * @param missing      the message when the controller is missing
     * @param consequence  appended to every message (what the run loses), may be empty
     */
    public static Optional<String> unavailableReason(Path root, String controlFile, String action, String missing,
                                                     String consequence) {
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of(action + " needs root (running as " + System.getProperty("user.name") + ")"
                    + consequence);
        }
        if (!Files.isRegularFile(root.resolve(controlFile))) {
            return Optional.of(missing + consequence);
        }
        if (!Files.isWritable(root.resolve("cgroup.procs"))) {
            return Optional.of(root + " is read-only (a container without a writable cgroup mount?)" + consequence);
        }
        return Optional.empty();
    }

    /** Creates (or reuses, after moving its processes out) the group {@link #groupName}({@code name}) under root. */
    public static CgroupV1Group create(Path root, String name) throws IOException {
        Path dir = root.resolve(groupName(name));
        CgroupV1Group g = new CgroupV1Group(root, dir);
        if (Files.isDirectory(dir)) {
            g.moveAllToRoot();
        } else {
            Files.createDirectory(dir);
        }
        return g;
    }

    /** The group of profile {@code name} in this process: {@code corgipile-<profile>-<pid>}. */
    public static String groupName(String name) {
        return "corgipile-" + name + "-" + ProcessHandle.current().pid();
    }

    public Path directory() {
        return dir;
    }

    /** Moves a whole process (all its threads) into the group. A process that has exited is ignored. */
    public void add(long pid) throws IOException {
        try {
            write("cgroup.procs", Long.toString(pid));
        } catch (IOException e) {
            if (Files.exists(Path.of("/proc/" + pid))) {
                throw e;
            }
        }
    }

    /** The pids currently in the group. */
    public List<Long> members() throws IOException {
        return read("cgroup.procs").stream().filter(s -> !s.isBlank()).map(s -> Long.parseLong(s.trim())).toList();
    }

    /** Writes one value (a line) to a control file of the group. */
    public void write(String file, String value) throws IOException {
        Files.writeString(dir.resolve(file), value + "\n");
    }

    /** The lines of a control file of the group. */
    public List<String> read(String file) throws IOException {
        return Files.readAllLines(dir.resolve(file));
    }

    private void moveAllToRoot() throws IOException {
        for (long pid : members()) {
            try {
                Files.writeString(root.resolve("cgroup.procs"), pid + "\n");
            } catch (IOException e) {
                // the process exited meanwhile
            }
        }
    }

    /** Moves the remaining processes back to the root group and removes the group (rmdir removes its files). */
    @Override
    public void close() throws IOException {
        if (!Files.isDirectory(dir)) {
            return;
        }
        moveAllToRoot();
        Files.delete(dir);
    }
}
