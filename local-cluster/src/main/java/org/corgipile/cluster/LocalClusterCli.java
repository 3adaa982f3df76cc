package org.corgipile.cluster;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The launcher's way to the one cluster component: {@code ./corgipile cluster up N} runs
 * {@code LocalClusterCli up HOME PORT} for each of its servers, {@code down} and {@code destroy} likewise, so the
 * scale-out demo's servers are {@link LocalCluster#persistent persistent LocalClusters}.
 *
 * <pre>
 *   up HOME PORT     create (initdb) unless HOME holds a cluster, start it, CREATE EXTENSION corgipile in postgres
 *   down HOME        stop it when it runs
 *   destroy HOME     stop it and remove HOME
 * </pre>
 * Exit code 0, or 1 with one line on stderr.
 */
public final class LocalClusterCli {
    private LocalClusterCli() {
    }

    public static void main(String[] args) {
        try {
            run(args);
        } catch (RuntimeException | SQLException e) {
            System.err.println("corgipile: error: " + e.getMessage());
            System.exit(1);
        }
    }

    static void run(String[] args) throws SQLException {
        if (args.length < 2 || args[0].equals("up") && args.length != 3) {
            throw new IllegalArgumentException("usage: LocalClusterCli up HOME PORT | down HOME | destroy HOME");
        }
        Path home = Path.of(args[1]).toAbsolutePath();
        switch (args[0]) {
            case "up" -> {
                LocalCluster c = LocalCluster.persistent(home, Integer.parseInt(args[2]));
                try (Connection conn = c.connect("postgres"); Statement s = conn.createStatement()) {
                    s.execute("SET client_min_messages = warning");
                    s.execute("CREATE EXTENSION IF NOT EXISTS corgipile");
                } catch (SQLException e) {
                    throw new SQLException("CREATE EXTENSION corgipile failed on the server in " + home
                            + " (run ./corgipile setup): " + e.getMessage(), e);
                }
                System.out.println(c.port());
            }
            case "down", "destroy" -> {
                if (!home.resolve("data/PG_VERSION").toFile().exists()) {
                    return;
                }
                LocalCluster c = LocalCluster.existing(home);
                if (args[0].equals("down")) {
                    c.stop();
                } else {
                    c.destroy();
                }
            }
            default -> throw new IllegalArgumentException("unknown command '" + args[0] + "' (up, down, destroy)");
        }
    }
}
