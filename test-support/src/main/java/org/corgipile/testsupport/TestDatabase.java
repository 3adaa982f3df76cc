package org.corgipile.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.corgipile.cluster.LocalCluster;

/**
 * A fresh database on a {@link LocalCluster}, the one set-up of a test's database: {@link #plain} (created, dropped
 * first when a database of that name is left over), {@link #withExtension} (and {@code CREATE EXTENSION corgipile},
 * of the default or a given version). It hands out its JDBC URL, a {@link DataSource} and connections;
 * {@link #close()} closes the connections it handed out and drops the database {@code WITH (FORCE)}, so that a
 * connection a test left open (its own, or a backend still running a call) does not keep it. A
 * {@link PostgresTest} class gets one per class (a parameter of this type), dropped after its last test.
 */
public final class TestDatabase implements AutoCloseable {
    /** How long {@link #close()} retries the drop while the server cannot take it (e.g. after a crash, recovering). */
    private static final long DROP_RETRY_SECONDS = 60;

    private final LocalCluster cluster;
    private final String name;
    private final DataSource dataSource;
    private final List<Connection> handedOut = new ArrayList<>();
    private boolean closed;

    private TestDatabase(LocalCluster cluster, String name) {
        this.cluster = cluster;
        this.name = name;
        this.dataSource = cluster.dataSource(name);
    }

    /** A new empty database {@code name} on {@code cluster} (one of that name is dropped first). */
    public static TestDatabase plain(LocalCluster cluster, String name) {
        return new TestDatabase(cluster, cluster.createDatabase(name));
    }

    /** A new database {@code name} on {@code cluster} with {@code CREATE EXTENSION corgipile} (its default version). */
    public static TestDatabase withExtension(LocalCluster cluster, String name) {
        return withExtension(cluster, name, null);
    }

    /**
     * A new database {@code name} on {@code cluster} with {@code CREATE EXTENSION corgipile VERSION 'version'} (the
     * default version when {@code version} is null); fails with the set-up hint when the extension is not installed.
     */
    public static TestDatabase withExtension(LocalCluster cluster, String name, String version) {
        if (!cluster.extensionAvailable()) {
            throw new IllegalStateException("the corgipile extension is not installed in this PostgreSQL; "
                    + "run ./corgipile setup (it builds and make-installs pljava-ext)");
        }
        TestDatabase db = plain(cluster, name);
        try (Connection c = db.dataSource.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE EXTENSION corgipile" + (version == null ? "" : " VERSION '" + version + "'"));
        } catch (SQLException e) {
            db.close();
            throw new IllegalStateException("cannot create the corgipile extension in " + name + ": "
                    + e.getMessage(), e);
        }
        return db;
    }

    public LocalCluster cluster() {
        return cluster;
    }

    public String name() {
        return name;
    }

    /** A data source of the database (its connections are the caller's to close). */
    public DataSource dataSource() {
        return dataSource;
    }

    public String jdbcUrl() {
        return cluster.jdbcUrl(name);
    }

    /** A new connection to the database, as the superuser; closed by {@link #close()} if the caller has not. */
    public Connection connect() throws SQLException {
        Connection c = dataSource.getConnection();
        synchronized (handedOut) {
            handedOut.removeIf(TestDatabase::isClosed);
            handedOut.add(c);
        }
        return c;
    }

    /**
     * Closes the connections {@link #connect()} handed out and drops the database {@code WITH (FORCE)} (ending any
     * backend still in it). Nothing to drop when the server is stopped (a throwaway cluster's data goes with it);
     * while the server cannot take a connection (crash recovery) the drop is retried for a minute.
     */
    @Override
    public void close() {
        synchronized (handedOut) {
            if (closed) {
                return;
            }
            closed = true;
            for (Connection c : handedOut) {
                try {
                    c.close();
                } catch (SQLException e) {
                    // a connection the server already ended: nothing left to close
                }
            }
            handedOut.clear();
        }
        if (!cluster.isRunning()) {
            return;
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(DROP_RETRY_SECONDS);
        while (true) {
            try (Connection c = cluster.connect("postgres"); Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
                return;
            } catch (SQLException e) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException("cannot drop database " + name + ": " + e.getMessage(), e);
                }
                sleep();
            }
        }
    }

    private static boolean isClosed(Connection c) {
        try {
            return c.isClosed();
        } catch (SQLException e) {
            return true;
        }
    }

    private static void sleep() {
        try {
            Thread.sleep(200);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dropping a test database", e);
        }
    }
}
