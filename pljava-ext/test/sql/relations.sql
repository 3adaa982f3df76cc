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
-- A table with inheritance children is read as a query on it reads it: its own rows and every descendant's (a
-- child with its columns in another order, a grandchild); train_sgd had read the parent's rows alone, while
-- shuffle_once and the SQL functions read all of them
CREATE TABLE inherited (label int, features float8[]);
CREATE TABLE inherited_child (note text) INHERITS (inherited);
CREATE TABLE inherited_loose (features float8[], note text, label int);
ALTER TABLE inherited_loose INHERIT inherited;
CREATE TABLE inherited_grandchild () INHERITS (inherited_child);
INSERT INTO inherited SELECT label, features FROM good WHERE id <= 50;
INSERT INTO inherited_child SELECT label, features FROM good WHERE id BETWEEN 51 AND 100;
INSERT INTO inherited_loose SELECT features, 'x', label FROM good WHERE id BETWEEN 101 AND 150;
INSERT INTO inherited_grandchild SELECT label, features FROM good WHERE id > 150;
SELECT count(*) AS rows FROM inherited;
SELECT tuples FROM train_sgd('inherited', 'label', 'features', epochs => 1, model_name => 'inherited');
SELECT tuples FROM train_sgd('inherited', 'label', 'features', epochs => 1, shuffle => 'shuffle_once');
SELECT value AS tuples FROM sgd_evaluate('inherited', 'inherited', 'label', 'features') WHERE metric = 'tuples';
SELECT sum(count) AS rows FROM sgd_confusion_matrix('inherited', 'inherited', 'label', 'features');
SELECT (corgipile.scan_stats('inherited', 'label', 'features')->>'tuples')::int AS tuples;
-- bug: a partitioned table or one with inheritance children was named unquoted and as "partitioned table" in the
-- label's errors (for inheritance too), while every other error names a relation as PostgreSQL does ("t")
CREATE TABLE "One Class" (label int, features float8[]) PARTITION BY LIST (label);
CREATE TABLE one_class_1 PARTITION OF "One Class" FOR VALUES IN (1);
INSERT INTO "One Class" SELECT 1, features FROM good;
SELECT * FROM train_sgd('"One Class"', 'label', 'features', epochs => 1); \echo SQLSTATE :SQLSTATE
CREATE TABLE one_class_inherited (LIKE inherited);
CREATE TABLE one_class_inherited_child () INHERITS (one_class_inherited);
INSERT INTO one_class_inherited_child SELECT 1, features FROM good;
SELECT * FROM train_sgd('one_class_inherited', 'label', 'features', epochs => 1); \echo SQLSTATE :SQLSTATE
-- bug: a partition without a live row (every row deleted, not yet vacuumed; or NULL features only) failed the whole
-- training with "relation "t_1" (part of "t") has no rows", although a query on the parent reads the others' rows;
-- such a partition is left out, and a parent all of whose partitions are so has no rows (22000)
CREATE TABLE hollow (label int, features float8[], k int) PARTITION BY LIST (k);
CREATE TABLE hollow_deleted PARTITION OF hollow FOR VALUES IN (0);
CREATE TABLE hollow_nulls PARTITION OF hollow FOR VALUES IN (1);
CREATE TABLE hollow_rows PARTITION OF hollow FOR VALUES IN (2);
INSERT INTO hollow SELECT label, features, 0 FROM good;
DELETE FROM hollow_deleted;
INSERT INTO hollow SELECT label, NULL, 1 FROM good;
INSERT INTO hollow SELECT label, features, 2 FROM good;
SELECT count(*) AS epochs, min(tuples) = (SELECT count(*) FROM good) AS every_row
    FROM train_sgd('hollow', 'label', 'features', epochs => 2, seed => 1);
DELETE FROM hollow_rows;
SELECT * FROM train_sgd('hollow', 'label', 'features', epochs => 1); \echo SQLSTATE :SQLSTATE
-- bug: the functions that read local heap blocks only (scan_stats, sgd_evaluate, a validation_relation) refused a
-- foreign partition with the hint "train on the server that holds the partition", although train_sgd trains it there
CREATE TABLE half_foreign (label int, features float8[], k int) PARTITION BY LIST (k);
CREATE TABLE half_foreign_local PARTITION OF half_foreign FOR VALUES IN (0);
CREATE FOREIGN TABLE half_foreign_remote PARTITION OF half_foreign FOR VALUES IN (1) SERVER dummy_server;
SELECT corgipile.scan_stats('half_foreign', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('good', 'label', 'features', validation_relation => 'half_foreign'); \echo SQLSTATE :SQLSTATE
RESET search_path;
DROP SCHEMA regress_relations CASCADE;
DROP ACCESS METHOD heap_alias;
DROP SERVER dummy_server;
DROP FOREIGN DATA WRAPPER dummy_fdw;
