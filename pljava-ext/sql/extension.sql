-- Extension-only statements, appended to the install script and to every update script (so keep them idempotent).
-- pg_dump leaves an extension's tables out unless they are marked as configuration: mark the models catalog and its
-- identity sequence, so a dump keeps every model (rows and the next id).
SELECT pg_catalog.pg_extension_config_dump('corgipile.models', '');
SELECT pg_catalog.pg_extension_config_dump(pg_catalog.pg_get_serial_sequence('corgipile.models', 'id')::regclass, '');
-- Kept model versions (corgipile.model_versions): dumped with the catalog.
SELECT pg_catalog.pg_extension_config_dump('corgipile.model_versions', '');
