package org.corgipile.testsupport;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.corgipile.cluster.LocalCluster;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test class against a real, throwaway PostgreSQL 15 cluster (see {@link PostgresExtension}).
 * Test methods, constructors and lifecycle methods may take a {@link javax.sql.DataSource}, a {@link LocalCluster} or
 * a {@link TestDatabase} parameter.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(PostgresExtension.class)
public @interface PostgresTest {
    /** Run {@code CREATE EXTENSION corgipile} in the test database; fails when the extension is not installed. */
    boolean extension() default false;
}
