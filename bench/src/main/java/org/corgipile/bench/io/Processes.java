package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Process lookups from {@code /proc}: the postmaster of a data directory and its children. */
public final class Processes {
    private Processes() {
    }

    /** The postmaster PID: the first line of {@code postmaster.pid} in the data directory. */
    public static long postmasterPid(Path dataDir) throws IOException {
        List<String> lines = Files.readAllLines(dataDir.resolve("postmaster.pid"));
        if (lines.isEmpty() || lines.get(0).isBlank()) {
            throw new IOException("empty " + dataDir.resolve("postmaster.pid"));
        }
        return Long.parseLong(lines.get(0).trim());
    }

    /** Direct children of {@code pid} (the postmaster's checkpointer, background writer, backends...). */
    public static List<Long> children(long pid) throws IOException {
        List<Long> out = new ArrayList<>();
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path p : (Iterable<Path>) procs::iterator) {
                String name = p.getFileName().toString();
                if (!name.chars().allMatch(Character::isDigit)) {
                    continue;
                }
                try {
                    String stat = Files.readString(p.resolve("stat"));
                    // "pid (comm) state ppid ..." where comm may contain spaces and parentheses
                    String[] rest = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    if (Long.parseLong(rest[1]) == pid) {
                        out.add(Long.parseLong(name));
                    }
                } catch (IOException | RuntimeException e) {
                    // the process exited while we looked
                }
            }
        }
        return out;
    }
}
