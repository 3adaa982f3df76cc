-- Shapes of the features argument: one array column, one or several scalar columns (each read once per tuple),
-- sparse index/value pairs; bad values name their tuple. The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_features;
SET search_path = regress_features, public;
CREATE TABLE shapes AS SELECT (i % 2) AS label, (i % 7)::smallint AS s, (i % 7)::int AS n, (i % 7)::bigint AS b,
    (i % 7)::real AS r, (i % 7)::float8 AS f, ((i % 7) * 0.5)::numeric AS num, (i % 2 = 0) AS flag,
    ARRAY[i % 2, 1]::float8[] AS f8, ARRAY[i % 2, 1]::real[] AS f4, ARRAY[i % 2, 1]::int[] AS i4,
    ARRAY[i % 2, 1]::smallint[] AS i2, ARRAY[i % 2, 1]::bigint[] AS i8, ARRAY[(i % 2) * 0.5, 1]::numeric[] AS nums,
    ARRAY[0, 3 + i % 2] AS idx, ARRAY[1, 1]::float8[] AS val, 'x'::text AS word
    FROM generate_series(1, 300) i;
CREATE TABLE big_numeric AS SELECT (i % 2) AS label, ('1' || repeat('0', 60) || '.5')::numeric AS big
    FROM generate_series(1, 10) i;
CREATE TABLE toasted AS SELECT (i % 2) AS label, array_fill((i % 2)::float8, ARRAY[3000]) AS features
    FROM generate_series(1, 20) i;
CREATE TABLE ragged (label int, features float8[]);
INSERT INTO ragged VALUES (0, '{1,2}'), (1, '{1,2,3}');
CREATE TABLE nans (label int, features float8[]);
INSERT INTO nans VALUES (0, '{1,2}'), (1, '{NaN,2}');
CREATE TABLE infs (label int, features real[], a float8, b numeric);
INSERT INTO infs VALUES (0, '{1,Infinity}', '-Infinity', 'NaN');
CREATE TABLE null_elems (label int, features float8[]);
INSERT INTO null_elems VALUES (1, '{1,NULL}');
CREATE TABLE multi (label int, features float8[]);
INSERT INTO multi VALUES (1, '{{1,2},{3,4}}');
CREATE TABLE empty_arrays (label int, features float8[]);
INSERT INTO empty_arrays VALUES (1, '{}'), (0, '{}');
CREATE TABLE numeric_overflow (label numeric, features numeric[], x numeric);
INSERT INTO numeric_overflow VALUES (0, '{1,2}', 1), (1, '{1,-1e400}', -1e400);
CREATE TABLE sparse_negative (label int, idx int8[], val float8[]);
INSERT INTO sparse_negative VALUES (1, '{0}', '{1}'), (0, '{-1}', '{1}');
CREATE TABLE sparse_beyond (label int, idx int8[], val float8[]);
INSERT INTO sparse_beyond VALUES (1, '{0}', '{1}'), (0, '{3000000000}', '{1}');
CREATE TABLE sparse_bad (label int, idx int[], val float8[]);
INSERT INTO sparse_bad VALUES (1, '{0,1}', '{1}'), (0, '{-1}', '{1}');
SELECT (r->>'dimension')::int AS dim, (r->>'tuples')::int AS tuples, (r->>'feature_sum')::float8 AS feature_sum
    FROM unnest(ARRAY['s', 'n', 'b', 'r', 'f', 'num', 'flag', 'f8', 'f4', 'i4', 'i2', 'i8', 'nums', 'idx, val',
                      's, n, b, r, f, num, flag', ' n ,	f ']) AS c, corgipile.scan_stats('shapes', 'label', c) r;
SELECT sum(n)::float8 AS n_sum, sum(num)::float8 AS num_sum FROM shapes;
SELECT (corgipile.scan_stats('big_numeric', 'label', 'big')->>'feature_sum')::float8 AS ten_times_1e60;
SELECT (corgipile.scan_stats('toasted', 'label', 'features')->>'feature_sum')::float8 AS toasted_sum;
SELECT c, count(*) AS epochs FROM unnest(ARRAY['n', 'num', 'flag', 'n, f', 'f8', 'nums', 'idx, val']) AS c,
    train_sgd('shapes', 'label', c, epochs => 2) GROUP BY c ORDER BY c;
SELECT * FROM train_sgd('shapes', 'label', 'word'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'f8, n'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'f8, f4, i4'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'val, idx'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', ' , '); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'n,,f'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', ''); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'no_such_column'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'ctid'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('ragged', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('nans', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('infs', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('infs', 'label', 'a'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('infs', 'label', 'b'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('null_elems', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('multi', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- every_array_empty: a table of empty arrays only said "0 elements; expected 1 like the first tuple"
SELECT * FROM train_sgd('empty_arrays', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- numeric_beyond_float8: numeric values beyond double precision were PostgreSQL's bare 22003 (no column, tuple,
-- relation or hint); as an array element, a column of a list and a label
SELECT * FROM train_sgd('numeric_overflow', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('numeric_overflow', 'label', 'label, x'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('numeric_overflow', 'x', 'label'); \echo SQLSTATE :SQLSTATE
-- sparse_index_negative_or_beyond_largest_dimension: -1 and 3e9 hinted at a larger dimension
SELECT * FROM train_sgd('sparse_negative', 'label', 'idx, val'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('sparse_beyond', 'label', 'idx, val'); \echo SQLSTATE :SQLSTATE
-- shuffle_once_reader_errors_name_the_relation: the reader's own errors gave the copy's tuple positions as the
-- relation's (one row: the same position in every order)
SELECT * FROM train_sgd('infs', 'label', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('sparse_bad', 'label', 'idx, val'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'idx, val', options => '{"dimension": 3}'); \echo SQLSTATE :SQLSTATE
-- A list that names the label or a column twice trains with every strategy, shuffle_once's copy included (it
-- copied the label and the list's columns as named: "column specified more than once")
SELECT s, count(*) AS epochs, max(tuples) AS tuples FROM unnest(ARRAY['corgipile', 'none', 'shuffle_once']) AS s,
    train_sgd('shapes', 'label', 'f, label, f', shuffle => s, epochs => 1, seed => 1) GROUP BY s ORDER BY s;
SELECT count(*) AS epochs FROM train_sgd('shapes', 'label', 'label', shuffle => 'shuffle_once', epochs => 1);
-- A sparse model: sgd_evaluate reads its pairs; the functions that predict row by row refuse them with 0A000 and
-- point to it (not the internal query's "cannot cast type integer[]")
SELECT count(*) AS epochs FROM train_sgd('shapes', 'label', 'idx, val', epochs => 1, model_name => 'sparse_pairs');
SELECT metric FROM sgd_evaluate('sparse_pairs', 'shapes', 'label', 'idx, val') WHERE metric = 'accuracy';
SELECT * FROM sgd_confusion_matrix('sparse_pairs', 'shapes', 'label', 'idx, val'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_roc_curve('sparse_pairs', 'shapes', 'label', 'idx, val'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_predict_relation('sparse_pairs', 'shapes'); \echo SQLSTATE :SQLSTATE
-- One scalar column is a one-feature vector (it was cast to float8[]); other types and missing columns get the
-- reader's SQLSTATEs, for the label too, not the internal query's
SELECT count(*) AS epochs FROM train_sgd('shapes', 'label', 'f', epochs => 1, model_name => 'one_column');
SELECT sum(count) AS rows FROM sgd_confusion_matrix('one_column', 'shapes', 'label', 'f');
SELECT count(*) AS rows FROM sgd_predict_relation('one_column', 'shapes');
SELECT * FROM sgd_confusion_matrix('one_column', 'shapes', 'word', 'f'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_roc_curve('one_column', 'shapes', 'nope', 'f'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_confusion_matrix('one_column', 'shapes', 'label', 'word'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_class_metrics('one_column', 'shapes', 'label', 'f, word'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_roc_curve('one_column', 'shapes', 'label', 'f8, f'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('shapes', 'label', 'f8, f'); \echo SQLSTATE :SQLSTATE
-- Domains over the reader's types are the reader's types (it strips them), in SQL as in train_sgd
CREATE DOMAIN score AS float8 CHECK (VALUE >= 0);
CREATE DOMAIN scores AS score[];
CREATE TABLE domained AS SELECT label, f::score AS d, ARRAY[f, 1]::score[] AS ds, ARRAY[f, 1]::scores AS dss, flag
    FROM shapes;
SELECT count(*) AS epochs FROM train_sgd('domained', 'label', 'd, flag', epochs => 1, model_name => 'domains');
SELECT sum(count) AS rows FROM sgd_confusion_matrix('domains', 'domained', 'label', 'd, flag');
SELECT count(*) AS features FROM sgd_feature_info('domained', 'ds');
SELECT count(*) AS epochs FROM train_sgd('domained', 'label', 'dss', epochs => 1, model_name => 'domain_array');
SELECT count(*) AS rows FROM sgd_predict_relation('domain_array', 'domained');
-- A column added with a DEFAULT after rows were stored: PostgreSQL keeps the default out of the old tuples, and the
-- reader reads it there as the default (it had read NULL and skipped the rows), in train_sgd as in SQL
CREATE TABLE added (i int);
INSERT INTO added SELECT i FROM generate_series(1, 300) i;
ALTER TABLE added ADD COLUMN label int DEFAULT 1, ADD COLUMN features float8[] DEFAULT '{1, 2}',
    ADD COLUMN x float8 DEFAULT 0.5;
UPDATE added SET label = 0, features = ARRAY[i, 2], x = i WHERE i % 2 = 0;
SELECT tuples FROM train_sgd('added', 'label', 'features', epochs => 1, model_name => 'added_array');
SELECT tuples FROM train_sgd('added', 'label', 'x', epochs => 1, model_name => 'added_column');
SELECT sum(count) AS rows FROM sgd_confusion_matrix('added_array', 'added', 'label', 'features');
SELECT count(*) AS rows FROM sgd_predict_relation('added_column', 'added');
RESET search_path;
DROP SCHEMA regress_features CASCADE;
