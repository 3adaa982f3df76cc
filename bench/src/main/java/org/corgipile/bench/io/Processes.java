package org.corgipile.bench.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** Process lookups from {@code /proc}: the postmaster of a data directory, its children, a process's I/O. */
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

    /**
     * Bytes {@code pid} has caused to be written to storage so far ({@code write_bytes} of {@code /proc/<pid>/io}:
     * counted when the process dirties page-cache pages, whoever writes them back later and whether or not the
     * write-back is throttled), -1 when the file cannot be read (another user's process without root).
     */
    public static long writeBytes(long pid) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "io"))) {
                if (line.startsWith("write_bytes:")) {
                    return Long.parseLong(line.substring("write_bytes:".length()).trim());
                }
            }
        } catch (IOException | RuntimeException e) {
            // gone, or not ours to read
        }
        return -1;
    }

    /** The server process behind a connection ({@code pg_backend_pid()}). */
    public static long backendPid(Connection c) throws SQLException {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
            rs.next();
            return rs.getLong(1);
        }
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
