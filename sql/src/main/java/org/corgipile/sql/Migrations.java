package org.corgipile.sql;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;

/**
 * Applies corgipile's SQL objects (schema {@code corgipile}, the models catalog, the SQL functions) to a database
 * with Flyway, for databases that cannot or do not load the C extension (e.g. managed services: train client-side,
 * predict with {@code corgipile.sql_predict}). The same migration files build the extension's install script, so
 * both paths create the same catalog ({@code MigrationsVsExtensionIT} checks it).
 *
 * <p>Do not use both on one database: {@code CREATE EXTENSION corgipile} fails when the schema already exists, and
 * a database with the extension needs no migrations. Flyway's history lives in {@value #HISTORY_TABLE} of the
 * connection's current schema, so it never collides with an application's own Flyway history; an application's
 * database is rarely empty, so a current schema with other objects but no such history is baselined at version 0
 * (every migration still runs) instead of refused.
 */
public final class Migrations {
    /** Where the migration scripts are on the class path. */
    public static final String LOCATION = "classpath:db/migration";
    /** Flyway's history table for corgipile. */
    public static final String HISTORY_TABLE = "corgipile_schema_history";

    private Migrations() {
    }

    /** Applies pending migrations; a second call is a no-op. Returns how many migrations ran. */
    public static int migrate(DataSource dataSource) {
        MigrateResult result = flyway(dataSource).migrate();
        return result.migrationsExecuted;
    }

    /**
     * The configured Flyway instance (for migrate/info/validate). The scripts are looked up with this class's class
     * loader (they ship in its jar), whatever the calling thread's context class loader is.
     */
    public static Flyway flyway(DataSource dataSource) {
        return Flyway.configure(Migrations.class.getClassLoader())
                .dataSource(dataSource)
                .locations(LOCATION)
                .table(HISTORY_TABLE)
                .placeholderReplacement(false)
                .baselineOnMigrate(true)
                .baselineVersion("0")
                .load();
    }
}
