package org.corgipile.testsupport;

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
 * engine closes its root context; one fresh database per test class (a {@link TestDatabase}, dropped after the
 * class's last test), so classes cannot see each other's tables.
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

    /** Keeps a class's database in its store so JUnit drops it after the class's last test. */
    private record DatabaseResource(TestDatabase db) implements ExtensionContext.Store.CloseableResource {
        @Override
        public void close() {
            db.close();
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LocalCluster cluster = cluster(context);
        Class<?> testClass = context.getRequiredTestClass();
        String name = ("t_" + testClass.getSimpleName()).toLowerCase(Locale.ROOT);
        PostgresTest cfg = testClass.getAnnotation(PostgresTest.class);
        TestDatabase db = cfg != null && cfg.extension() ? TestDatabase.withExtension(cluster, name)
                : TestDatabase.plain(cluster, name);
        context.getStore(NS).put("db", new DatabaseResource(db));
    }

    private static TestDatabase database(ExtensionContext context) {
        DatabaseResource db = context.getStore(NS).get("db", DatabaseResource.class);
        if (db == null) {
            throw new ParameterResolutionException("no test database: annotate the class with @PostgresTest");
        }
        return db.db();
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
