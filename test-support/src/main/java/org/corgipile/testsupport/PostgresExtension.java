package org.corgipile.testsupport;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;

import javax.sql.DataSource;

import org.corgipile.cluster.LocalCluster;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * JUnit 5 extension behind {@link PostgresTest}.
 *
 * <p>One cluster per test JVM (initdb costs a second or two), created on first use and removed when the JUnit
 * engine closes its root context; one fresh database per test class, so classes cannot see each other's tables.
 * When a test fails, the tail of the server log is printed: the server's view of a failure (a crashed backend, an
 * ERROR with its SQLSTATE) is often the only useful clue. The cluster's server runs with
 * {@code CORGIPILE_STORAGE_PROBE=off}: train_sgd's default block sizes must not depend on a timing of CI's disk
 * (the probe's own tests run it on purpose).
 */
public final class PostgresExtension implements BeforeAllCallback, ParameterResolver, TestWatcher {
    private static final ExtensionContext.Namespace NS = ExtensionContext.Namespace.create(PostgresExtension.class);
    private static final int LOG_TAIL_LINES = 60;

    /** Keeps the shared cluster in the root store so JUnit closes it after the last test. */
    private record ClusterResource(LocalCluster cluster) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            cluster.close();
        }
    }

    /** The JVM-wide cluster (started on first call). */
    public static LocalCluster cluster(ExtensionContext context) {
        return context.getRoot().getStore(NS)
                .getOrComputeIfAbsent("cluster", k -> new ClusterResource(TestClusters.start(List.of())),
                        ClusterResource.class)
                .cluster();
    }

    @Override
    public void beforeAll(ExtensionContext context) throws SQLException {
        LocalCluster cluster = cluster(context);
        Class<?> testClass = context.getRequiredTestClass();
        String name = ("t_" + testClass.getSimpleName()).toLowerCase(Locale.ROOT);
        cluster.createDatabase(name);
        DataSource ds = cluster.dataSource(name);
        PostgresTest cfg = testClass.getAnnotation(PostgresTest.class);
        if (cfg != null && cfg.extension()) {
            if (!cluster.extensionAvailable()) {
                throw new IllegalStateException("the corgipile extension is not installed in this PostgreSQL; "
                        + "run ./corgipile setup (it builds and make-installs pljava-ext)");
            }
            try (Connection c = ds.getConnection(); Statement s = c.createStatement()) {
                s.execute("CREATE EXTENSION corgipile");
            }
        }
        context.getStore(NS).put("db", new TestDatabase(cluster, name, ds));
    }

    private static TestDatabase database(ExtensionContext context) {
        TestDatabase db = context.getStore(NS).get("db", TestDatabase.class);
        if (db == null) {
            throw new ParameterResolutionException("no test database: annotate the class with @PostgresTest");
        }
        return db;
    }

    @Override
    public boolean supportsParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        return t == DataSource.class || t == LocalCluster.class || t == TestDatabase.class;
    }

    @Override
    public Object resolveParameter(ParameterContext pc, ExtensionContext ec) {
        Class<?> t = pc.getParameter().getType();
        if (t == LocalCluster.class) {
            return cluster(ec);
        }
        TestDatabase db = database(ec);
        return t == DataSource.class ? db.dataSource() : db;
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        LocalCluster cluster = context.getRoot().getStore(NS).get("cluster", ClusterResource.class) == null ? null
                : cluster(context);
        if (cluster != null) {
            System.err.println("---- PostgreSQL server log (last " + LOG_TAIL_LINES + " lines) for failed test "
                    + context.getDisplayName() + " ----");
            System.err.println(cluster.logTail(LOG_TAIL_LINES));
            System.err.println("---- end of server log ----");
        }
    }
}
