package org.corgipile.cluster;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * The launcher's way to the one cluster component: {@code ./corgipile db start|stop|status|destroy} (the checkout's
 * local cluster) and {@code ./corgipile cluster up|down|status|destroy} (the scale-out demo's servers) run this on
 * {@link LocalCluster#persistent persistent LocalClusters}; the launcher only decides where each one lives (HOME) and
 * prints what happened. Run from {@code local-cluster/target/corgipile-local-cluster.jar} (PgJDBC included).
 *
 * <pre>
 *   start HOME [PORT]  create (initdb) unless HOME holds a cluster, listening on PORT, else on the first free port
 *                      from 54315 that no cluster beside HOME (or in CORGIPILE_CLUSTERS) remembers; a stopped
 *                      cluster that remembers another port than a given PORT moves to it; start it unless it runs.
 *                      Prints "created PORT", "started PORT", "moved PORT OLD_PORT" or "running PORT".
 *   up HOME PORT       start, then CREATE EXTENSION corgipile in database postgres; prints the port
 *   stop HOME          stop it when it runs; prints "stopped" or "not running"
 *   down HOME          the same, silently
 *   status HOME        prints "running PORT", "stopped PORT" or "none"
 *   destroy HOME       stop it and remove HOME
 * </pre>
 * Exit code 0, or 1 with one line on stderr (the server log's tail when a server command failed).
 */
public final class LocalClusterCli {
    /** The first port tried for a new local cluster. */
    static final int FIRST_PORT = 54315;

    private LocalClusterCli() {
    }

    public static void main(String[] args) {
        try {
            String out = run(args);
            if (!out.isEmpty()) {
                System.out.println(out);
            }
        } catch (RuntimeException | SQLException e) {
            System.err.println("corgipile: error: " + e.getMessage());
            System.exit(1);
        }
    }

    static String run(String[] args) throws SQLException {
        if (args.length < 2 || args.length > 3 || args[0].equals("up") && args.length != 3) {
            throw new IllegalArgumentException("usage: LocalClusterCli start HOME [PORT] | up HOME PORT | stop HOME"
                    + " | down HOME | status HOME | destroy HOME");
        }
        Path home = Path.of(args[1]).toAbsolutePath();
        int port = args.length == 3 ? Integer.parseInt(args[2]) : 0;
        boolean exists = LocalCluster.exists(home);
        switch (args[0]) {
            case "start" -> {
                return start(home, port);
            }
            case "up" -> {
                LocalCluster c = LocalCluster.persistent(home, port);
                try (Connection conn = c.connect("postgres"); Statement s = conn.createStatement()) {
                    s.execute("SET client_min_messages = warning");
                    s.execute("CREATE EXTENSION IF NOT EXISTS corgipile");
                } catch (SQLException e) {
                    throw new SQLException("CREATE EXTENSION corgipile failed on the server in " + home
                            + " (run ./corgipile setup): " + e.getMessage(), e);
                }
                return String.valueOf(c.port());
            }
            case "stop", "down" -> {
                LocalCluster c = exists ? LocalCluster.existing(home) : null;
                boolean wasRunning = c != null && c.isRunning();
                if (wasRunning) {
                    c.stop();
                }
                return args[0].equals("down") ? "" : wasRunning ? "stopped" : "not running";
            }
            case "status" -> {
                if (!exists) {
                    return "none";
                }
                LocalCluster c = LocalCluster.existing(home);
                return (c.isRunning() ? "running " : "stopped ") + c.port();
            }
            case "destroy" -> {
                if (exists) {
                    LocalCluster.existing(home).destroy();
                }
                return "";
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0]
                    + "' (start, up, stop, down, status, destroy)");
        }
    }

    private static String start(Path home, int port) {
        if (!LocalCluster.exists(home)) {
            List<Path> claimedBy = new ArrayList<>(List.of(home.getParent()));
            String clusters = System.getenv("CORGIPILE_CLUSTERS");
            if (clusters != null && !clusters.isEmpty()) {
                claimedBy.add(Path.of(clusters));
            }
            int p = port > 0 ? port : LocalCluster.firstFreePort(FIRST_PORT, claimedBy);
            LocalCluster.persistent(home, p);
            return "created " + p;
        }
        LocalCluster c = LocalCluster.existing(home);
        if (c.isRunning()) {
            return "running " + c.port();
        }
        int from = c.port();
        if (port > 0 && port != from) {
            c = c.moveTo(port);
        }
        c.start();
        return c.port() == from ? "started " + from : "moved " + c.port() + " " + from;
    }
}
