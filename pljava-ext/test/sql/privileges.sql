-- What the reader lets a role read: table and column privileges, row-level security; any role, any table of the
-- catalog, never a crashed backend. The SQLSTATE follows each statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_privileges;
SET search_path = regress_privileges, public;
CREATE TABLE secret (label int, features float8[], other int);
INSERT INTO secret SELECT i % 2, ARRAY[i % 2, 1], i FROM generate_series(1, 100) i;
CREATE TABLE columns_only (label int, features float8[], hidden float8[]);
INSERT INTO columns_only SELECT i % 2, ARRAY[i % 2, 1], ARRAY[1, 2] FROM generate_series(1, 100) i;
CREATE TABLE guarded (label int, features float8[]);
INSERT INTO guarded SELECT i % 2, ARRAY[i % 2, 1] FROM generate_series(1, 100) i;
ALTER TABLE guarded ENABLE ROW LEVEL SECURITY;
CREATE POLICY only_ones ON guarded USING (label = 1);
DROP ROLE IF EXISTS corgipile_regress_reader;
CREATE ROLE corgipile_regress_reader;
DROP ROLE IF EXISTS corgipile_regress_owner;
CREATE ROLE corgipile_regress_owner;
GRANT USAGE ON SCHEMA regress_privileges TO corgipile_regress_reader, corgipile_regress_owner;
GRANT SELECT (label, features) ON columns_only TO corgipile_regress_reader;
GRANT SELECT ON guarded TO corgipile_regress_reader;
SET ROLE corgipile_regress_reader;
SELECT * FROM train_sgd('secret', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM corgipile.scan_stats('secret', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('columns_only', 'label', 'hidden'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('columns_only', 'label', 'features', epochs => 1);
-- bug: shuffle_once with SELECT on the label and feature columns only was PostgreSQL's bare "permission denied for
-- table" (its copy orders the rows by their ctid, which needs SELECT on the table); it says so, with a hint
SELECT * FROM train_sgd('columns_only', 'label', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('guarded', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('pg_authid', 'oid', 'rolconnlimit'); \echo SQLSTATE :SQLSTATE
SELECT count(*) > 0 AS ok FROM corgipile.scan_stats('pg_class', 'relpages', 'reltuples');
SELECT (corgipile.scan_stats('pg_class', 'relpages', 'relpages, reltuples, relnatts')->>'dimension')::int AS dimension;
RESET ROLE;
-- the owner is subject to its own policies only with FORCE ROW LEVEL SECURITY
ALTER TABLE guarded OWNER TO corgipile_regress_owner;
SET ROLE corgipile_regress_owner;
SELECT count(*) AS epochs FROM train_sgd('guarded', 'label', 'features', epochs => 1);
ALTER TABLE guarded FORCE ROW LEVEL SECURITY;
SELECT * FROM train_sgd('guarded', 'label', 'features'); \echo SQLSTATE :SQLSTATE
RESET ROLE;
DROP OWNED BY corgipile_regress_reader, corgipile_regress_owner;
DROP ROLE corgipile_regress_reader;
DROP ROLE corgipile_regress_owner;
RESET search_path;
DROP SCHEMA regress_privileges CASCADE;
