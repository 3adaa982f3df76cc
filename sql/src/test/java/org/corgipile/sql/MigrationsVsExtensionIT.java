package org.corgipile.sql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Set;
import java.util.TreeSet;

import org.corgipile.cluster.LocalCluster;
import org.corgipile.testsupport.PostgresTest;
import org.corgipile.testsupport.TestDatabase;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;

/**
 * The catalog objects created by the Flyway migrations and by {@code CREATE EXTENSION corgipile} are the same:
 * tables, columns, constraints, types and every function both have (the extension adds only its C entry points).
 */
@PostgresTest
class MigrationsVsExtensionIT {
    private static final String COLUMNS = """
            SELECT c.relname || '.' || a.attname || ' ' || format_type(a.atttypid, a.atttypmod)
                   || CASE WHEN a.attnotnull THEN ' not null' ELSE '' END
                   || coalesce(' default ' || pg_get_expr(d.adbin, d.adrelid), '')
                   || CASE WHEN a.attidentity <> '' THEN ' identity ' || a.attidentity::text ELSE '' END
            FROM pg_attribute a
            JOIN pg_class c ON c.oid = a.attrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace
            LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
            WHERE n.nspname = 'corgipile' AND a.attnum > 0 AND NOT a.attisdropped
              AND c.relkind IN ('r', 'c', 'v', 'm')
            """;
    private static final String CONSTRAINTS = """
            SELECT c.conrelid::regclass::text || ' ' || c.contype::text || ' ' || pg_get_constraintdef(c.oid)
            FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
            WHERE n.nspname = 'corgipile'
            """;
    private static final String RELATIONS = """
            SELECT c.relname || ' ' || c.relkind::text || CASE WHEN c.relrowsecurity THEN ' rls' ELSE '' END
                   || ' ' || coalesce(c.relacl::text, '')
            FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'corgipile'
            """;
    private static final String POLICIES = """
            SELECT p.polrelid::regclass::text || ' ' || p.polname || ' ' || p.polcmd::text || ' '
                   || coalesce(pg_get_expr(p.polqual, p.polrelid), '') || ' '
                   || coalesce(pg_get_expr(p.polwithcheck, p.polrelid), '')
            FROM pg_policy p
            """;
    private static final String FUNCTIONS = """
            SELECT n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ') -> '
                   || pg_get_function_result(p.oid) || ' ' || l.lanname || ' ' || p.provolatile::text || p.proparallel::text
                   || CASE WHEN p.proisstrict THEN ' strict' ELSE '' END
                   || CASE WHEN p.prosecdef THEN ' definer' ELSE '' END || coalesce(' ' || p.proconfig::text, '')
                   || ' ' || coalesce(p.proacl::text, '') || ' md5:' || md5(p.prosrc)
            FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace JOIN pg_language l ON l.oid = p.prolang
            WHERE n.nspname IN ('corgipile', 'public')
            """;

    @Test
    void flywayAndCreateExtensionBuildTheSameCatalog(LocalCluster cluster) throws SQLException {
        assertTrue(cluster.extensionAvailable(), "the corgipile extension is not installed; run ./corgipile setup");
        try (TestDatabase ext = TestDatabase.withExtension(cluster, "mve_ext");
             TestDatabase flyway = TestDatabase.plain(cluster, "mve_flyway")) {
            assertEquals(migrations(flyway), Migrations.migrate(flyway.dataSource()));

            try (Connection e = ext.connect(); Connection fly = flyway.connect()) {
                assertEquals(rows(fly, RELATIONS), rows(e, RELATIONS), "relations of schema corgipile");
                assertEquals(rows(fly, COLUMNS), rows(e, COLUMNS), "columns of tables and types");
                assertEquals(rows(fly, CONSTRAINTS), rows(e, CONSTRAINTS), "constraints");
                assertEquals(rows(fly, POLICIES), rows(e, POLICIES), "row-level security policies");

                Set<String> extFunctions = rows(e, FUNCTIONS);
                Set<String> flyFunctions = rows(fly, FUNCTIONS);
                assertTrue(flyFunctions.size() >= 8, "the migrations define the SQL functions: " + flyFunctions);
                Set<String> missing = new TreeSet<>(flyFunctions);
                missing.removeAll(extFunctions);
                assertEquals(Set.of(), missing, "functions of the migrations that differ or are absent in the "
                        + "extension");
                Set<String> extraInExtension = new TreeSet<>(extFunctions);
                extraInExtension.removeAll(flyFunctions);
                for (String f : extraInExtension) {
                    assertTrue(f.contains(" c "), "only C functions may be extension-only: " + f);
                }
                assertEquals(4, extraInExtension.size(), "the C functions: " + extraInExtension);
            }
        }
    }

    @Test
    void migratingTwiceIsANoOpAndInDatabaseFunctionsSayTheExtensionIsMissing(LocalCluster cluster) throws SQLException {
        try (TestDatabase twice = TestDatabase.plain(cluster, "mve_twice")) {
            assertEquals(migrations(twice), Migrations.migrate(twice.dataSource()));
            assertEquals(0, Migrations.migrate(twice.dataSource()));
            try (Connection c = twice.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE t (label int, features float8[])");
                SQLException e = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
                        () -> s.executeQuery("SELECT * FROM train_sgd('t', 'label', 'features')"));
                assertEquals("0A000", e.getSQLState());
                assertTrue(e.getMessage().contains("needs the corgipile extension"), e.getMessage());
                // Pure SQL prediction works without the extension.
                s.execute("INSERT INTO corgipile.models (name, model_type, dimension, parameters, spec, "
                        + "corgipile_version) VALUES ('m', 'logistic', 2, '{1,-1,0.5}', '{}', 'test')");
                try (ResultSet rs = s.executeQuery("SELECT corgipile.sql_predict('m', '{2,1}'), corgipile.sql_predict("
                        + "'m', '{0,3}'), corgipile.glm_margin('{1,-1,0.5}', NULL, NULL, '{2,1}')")) {
                    rs.next();
                    assertEquals(1.0, rs.getDouble(1));
                    assertEquals(0.0, rs.getDouble(2));
                    assertEquals(1.5, rs.getDouble(3), 1e-12);
                }
            }
        }
    }

    /**
     * Bug: {@code Migrations.migrate} refused an application's database (a public schema with tables of its own but
     * no corgipile history: Flyway's "non-empty schema" error); only the client's {@code install()} baselined it.
     */
    @Test
    void migrateInANonEmptySchemaBaselinesItAndAppliesEveryMigration(LocalCluster cluster) throws SQLException {
        try (TestDatabase app = TestDatabase.plain(cluster, "mve_app")) {
            try (Connection c = app.connect(); Statement s = c.createStatement()) {
                s.execute("CREATE TABLE app_orders (id int PRIMARY KEY)");
                s.execute("INSERT INTO app_orders VALUES (1)");
            }
            int pending = migrations(app);
            assertEquals(pending, Migrations.migrate(app.dataSource()));
            assertEquals(0, Migrations.migrate(app.dataSource()));
            try (Connection c = app.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT (SELECT count(*) FROM app_orders), (SELECT count(*) "
                         + "FROM corgipile.models), to_regprocedure('sgd_weights(text)') IS NOT NULL")) {
                assertTrue(rs.next());
                assertEquals(1, rs.getInt(1));
                assertEquals(0, rs.getInt(2));
                assertTrue(rs.getBoolean(3));
            }
        }
    }

    /**
     * A catalog Flyway installed at 0.1.0 (V1, V2) with a model in it is updated by migrating again: the released
     * migrations still validate (their checksums are those 0.1.0 recorded), the later ones apply, the model is kept
     * (owned by the role that updated) and predicts the same.
     */
    @Test
    void aFlywayCatalogOfThePreviousReleaseUpdatesAndKeepsItsModels(LocalCluster cluster) throws SQLException {
        try (TestDatabase old = TestDatabase.plain(cluster, "mve_flyway_010")) {
            Flyway previous = Flyway.configure(Migrations.class.getClassLoader())
                    .configuration(Migrations.flyway(old.dataSource()).getConfiguration())
                    .target("2")
                    .load();
            assertEquals(2, previous.migrate().migrationsExecuted);
            try (Connection c = old.connect(); Statement s = c.createStatement()) {
                s.execute("INSERT INTO corgipile.models (name, model_type, dimension, parameters, spec, "
                        + "corgipile_version, features_column) VALUES ('old', 'logistic', 2, '{1,-1,0.5}', '{}', "
                        + "'0.1.0', 'x1, x2')");
            }
            int later = migrations(old);
            assertTrue(later >= 1, "migrations after 0.1.0: " + later);
            assertEquals(later, Migrations.migrate(old.dataSource()));
            try (Connection c = old.connect(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT owner = current_user, feature_names::text, version,"
                         + " corgipile.sql_predict('old', '{2,1}') FROM corgipile.models WHERE name = 'old'")) {
                assertTrue(rs.next(), "the model of 0.1.0 is kept");
                assertTrue(rs.getBoolean(1), "the role that updated owns it");
                assertEquals("{x1,x2}", rs.getString(2));
                assertEquals(1, rs.getInt(3));
                assertEquals(1.0, rs.getDouble(4));
            }
        }
    }

    /**
     * ALTER EXTENSION corgipile UPDATE from the previous release (its install script as shipped, then the generated
     * update script) builds the same catalog as a fresh CREATE EXTENSION: every later migration reaches both.
     */
    @Test
    void updateFromThePreviousReleaseBuildsTheSameCatalogAsAFreshInstall(LocalCluster cluster) throws SQLException {
        assertTrue(cluster.extensionAvailable(), "the corgipile extension is not installed; run ./corgipile setup");
        try (TestDatabase fresh = TestDatabase.withExtension(cluster, "mve_fresh");
             TestDatabase updated = TestDatabase.withExtension(cluster, "mve_updated", "0.1.0")) {
            try (Connection c = updated.connect(); Statement s = c.createStatement()) {
                s.execute("ALTER EXTENSION corgipile UPDATE");
            }
            try (Connection f = fresh.connect(); Connection u = updated.connect()) {
                for (String query : new String[] {RELATIONS, COLUMNS, CONSTRAINTS, POLICIES, FUNCTIONS, EXTENSION}) {
                    assertEquals(rows(f, query), rows(u, query), query);
                }
            }
        }
    }

    private static final String EXTENSION = """
            SELECT e.extversion || ' ' || coalesce(array_to_string(ARRAY(SELECT c::regclass::text
                                                                         FROM unnest(e.extconfig) c ORDER BY 1), ','), '')
                   || ' ' || (SELECT count(*) FROM pg_depend d
                              WHERE d.refobjid = e.oid AND d.refclassid = 'pg_extension'::regclass)
            FROM pg_extension e WHERE e.extname = 'corgipile'
            """;

    /** How many migrations Flyway would apply to a new database (the number of migration files). */
    private static int migrations(TestDatabase db) {
        return Migrations.flyway(db.dataSource()).info().pending().length;
    }

    private static Set<String> rows(Connection c, String sql) throws SQLException {
        Set<String> out = new TreeSet<>();
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
            while (rs.next()) {
                out.add(rs.getString(1));
            }
        }
        return out;
    }
}
