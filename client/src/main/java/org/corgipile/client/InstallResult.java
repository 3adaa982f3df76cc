package org.corgipile.client;

/**
 * What {@link CorgiPile#install()} did.
 *
 * @param applied     migrations applied by this call (0: the database was already up to date)
 * @param fromVersion schema version before, or null when corgipile was not installed
 * @param toVersion   schema version after
 * @param extension   true when the database has the extension, whose objects come from CREATE EXTENSION (nothing
 *                    was done)
 */
public record InstallResult(int applied, String fromVersion, String toVersion, boolean extension) {
}
