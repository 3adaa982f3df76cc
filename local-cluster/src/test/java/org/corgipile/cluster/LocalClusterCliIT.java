package org.corgipile.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

/**
 * What {@code ./corgipile db start|stop|status|destroy} does, through {@link LocalClusterCli}: a cluster is created
 * on the given port, keeps it across stop and start, moves to another given port only when stopped, and a new
 * cluster without a port skips the ports its neighbours remember.
 */
class LocalClusterCliIT {

    @Test
    void startStopMoveAndDestroyLikeTheLauncher() throws Exception {
        Path parent = Files.createTempDirectory(LocalCluster.parentFor(osUser()), "corgipile-cli-");
        parent.toFile().setExecutable(true, false);
        parent.toFile().setReadable(true, false);
        Path home = parent.resolve("db");
        int port = freePort();
        int other = freePort();
        while (other == port) {
            other = freePort();
        }
        try {
            assertEquals("none", cli("status", home));
            assertEquals("created " + port, cli("start", home, port));
            assertEquals("running " + port, cli("status", home));
            assertEquals("running " + port, cli("start", home, other), "a running cluster keeps its port");
            assertEquals("stopped", cli("stop", home));
            assertEquals("not running", cli("stop", home));
            assertEquals("stopped " + port, cli("status", home));
            assertEquals("started " + port, cli("start", home));
            cli("stop", home);
            assertEquals("moved " + other + " " + port, cli("start", home, other));
            assertEquals("running " + other, cli("status", home));

            cli("stop", home);
            assertTrue(LocalCluster.firstFreePort(other, List.of()) == other, "free on 127.0.0.1 once stopped");
            assertTrue(LocalCluster.firstFreePort(other, List.of(parent)) > other,
                    "the port a stopped neighbour remembers is skipped");
        } finally {
            cli("destroy", home);
            assertFalse(Files.exists(home));
            Files.deleteIfExists(parent);
        }
    }

    private static String cli(String command, Path home, int... port) throws Exception {
        String[] args = port.length == 0 ? new String[] {command, home.toString()}
                : new String[] {command, home.toString(), String.valueOf(port[0])};
        return LocalClusterCli.run(args);
    }

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String osUser() {
        return "root".equals(System.getProperty("user.name"))
                ? System.getenv().getOrDefault("CORGIPILE_PG_OS_USER", LocalCluster.DEFAULT_OS_USER) : null;
    }
}
