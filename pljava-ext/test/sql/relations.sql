-- Relations the heap reader accepts or refuses: one line per case; the SQLSTATE follows each statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_relations;
SET search_path = regress_relations, public;
CREATE TABLE good AS SELECT i AS id, (i % 2) AS label, ARRAY[(i % 2) + 0.1 * (i % 5), 1]::float8[] AS features
    FROM generate_series(1, 200) i;
CREATE VIEW good_view AS SELECT * FROM good;
CREATE INDEX good_idx ON good (id);
CREATE SEQUENCE a_sequence;
CREATE TABLE parted (label int, features float8[]) PARTITION BY LIST (label);
CREATE ACCESS METHOD heap_alias TYPE TABLE HANDLER heap_tableam_handler;
CREATE TABLE other_am USING heap_alias AS SELECT * FROM good;
CREATE MATERIALIZED VIEW unpopulated AS SELECT * FROM good WITH NO DATA;
CREATE MATERIALIZED VIEW populated AS SELECT * FROM good;
CREATE TEMP TABLE temporary AS SELECT * FROM good;
CREATE UNLOGGED TABLE unlogged AS SELECT * FROM good;
CREATE TABLE empty (label int, features float8[]);
CREATE TABLE only_nulls (label int, features float8[]);
INSERT INTO only_nulls VALUES (NULL, '{1,2}'), (1, NULL);
CREATE FOREIGN DATA WRAPPER dummy_fdw;
CREATE SERVER dummy_server FOREIGN DATA WRAPPER dummy_fdw;
CREATE FOREIGN TABLE foreign_t (label int, features float8[]) SERVER dummy_server;
CREATE TYPE composite AS (label int, features float8[]);
SELECT * FROM train_sgd('no_such_table', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good_view', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good_idx', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('a_sequence', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('parted', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('foreign_t', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('composite', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('other_am', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('other_am', 'label', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('unpopulated', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM corgipile.scan_stats('unpopulated', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- NULL arguments: 22004 (a NULL relation was 22023 "missing argument relation"; a NULL block_pages read 1280)
SELECT corgipile.scan_stats(NULL, 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT corgipile.scan_stats('good', 'label', 'features', NULL); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('empty', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('only_nulls', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', validation_relation => 'good_view'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('populated', 'label', 'features', epochs => 2);
SELECT count(*) AS epochs FROM train_sgd('temporary', 'label', 'features', epochs => 2);
SELECT count(*) AS epochs FROM train_sgd('unlogged', 'label', 'features', epochs => 2);
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 2, validation_relation => 'populated');
REFRESH MATERIALIZED VIEW unpopulated;
SELECT count(*) AS epochs FROM train_sgd('unpopulated', 'label', 'features', epochs => 1);
SELECT (corgipile.scan_stats('"Mixed Case"', 'label', 'features')->>'tuples'); \echo SQLSTATE :SQLSTATE
CREATE TABLE "Mixed Case" AS SELECT * FROM good;
SELECT (corgipile.scan_stats('"Mixed Case"', 'label', 'features')->>'tuples')::int AS tuples;
-- shuffle_once_copied_inheritance_children: its copy took a table's inheritance children's rows too, which no other
-- strategy reads (they are not the table's heap blocks); now every strategy trains on the table's own rows
CREATE TABLE inheriting AS SELECT * FROM good;
CREATE TABLE inherited () INHERITS (inheriting);
INSERT INTO inherited SELECT * FROM good;
SELECT s, max(tuples) AS tuples, (SELECT count(*) FROM ONLY inheriting) AS own_rows
FROM unnest(ARRAY['none', 'shuffle_once']) AS s, train_sgd('inheriting', 'label', 'features', shuffle => s, epochs => 1)
GROUP BY s ORDER BY s;
RESET search_path;
DROP SCHEMA regress_relations CASCADE;
DROP ACCESS METHOD heap_alias;
DROP SERVER dummy_server;
DROP FOREIGN DATA WRAPPER dummy_fdw;
