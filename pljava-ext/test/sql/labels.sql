-- Label columns: numeric and boolean types, NULL labels skipped, values outside a model's domain refused.
-- The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_labels;
SET search_path = regress_labels, public;
CREATE TABLE labelled AS SELECT (i % 2)::smallint AS s, (i % 2)::int AS n, (i % 2)::bigint AS b,
    (i % 2)::real AS r, (i % 2)::float8 AS f, (i % 2)::numeric AS num, (i % 2 = 1) AS flag,
    ((i % 2) * 2 - 1) AS pm, (i % 3) AS three, (i * 0.5)::float8 AS y, 'x'::text AS word, ARRAY[1, 2] AS arr,
    ARRAY[(i % 2) + 0.1 * (i % 5), 1]::float8[] AS features
    FROM generate_series(1, 120) i;
CREATE TABLE null_labels AS SELECT CASE WHEN i % 4 = 0 THEN NULL ELSE i % 2 END AS label,
    ARRAY[i % 2, 1]::float8[] AS features FROM generate_series(1, 100) i;
CREATE TABLE inf_label (label float8, features float8[]);
INSERT INTO inf_label VALUES ('Infinity', '{1,2}');
CREATE TABLE nan_label (label numeric, features float8[]);
INSERT INTO nan_label VALUES ('NaN', '{1,2}');
SELECT c, count(*) AS epochs FROM unnest(ARRAY['s', 'n', 'b', 'r', 'f', 'num', 'flag']) AS c,
    train_sgd('labelled', c, 'features', epochs => 1) GROUP BY c ORDER BY c;
SELECT count(*) AS epochs FROM train_sgd('labelled', 'pm', 'features', model => 'svm', epochs => 1);
SELECT count(*) AS epochs FROM train_sgd('labelled', 'y', 'features', model => 'linear', epochs => 1);
SELECT count(*) AS epochs FROM train_sgd('labelled', 'three', 'features', model => 'softmax', epochs => 1);
SELECT max(tuples) AS tuples FROM train_sgd('null_labels', 'label', 'features', epochs => 1);
SELECT * FROM train_sgd('labelled', 'word', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'arr', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'no_such_column', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'three', 'features', model => 'logistic'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'three', 'features', model => 'svm'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'y', 'features', model => 'logistic'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('labelled', 'three', 'features', model => 'softmax', options => '{"classes": 2}'); \echo SQLSTATE :SQLSTATE
-- a label with one value: a classifier would predict it for every input (linear regression still trains)
CREATE TABLE one_class AS SELECT 1 AS label, features FROM labelled;
SELECT * FROM train_sgd('one_class', 'label', 'features', model => 'mlp'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('one_class', 'label', 'features', model => 'linear', epochs => 1);
SELECT * FROM train_sgd('labelled', 'y', 'features', model => 'softmax'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('inf_label', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('nan_label', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- A boolean label and a boolean feature column, which the reader takes as 0/1, through every SQL evaluation
-- function (their queries cast as the reader does, corgipile.as_float8: boolean has no cast to float8)
SELECT count(*) AS epochs FROM train_sgd('labelled', 'flag', 'r, flag', epochs => 2, seed => 1, model_name => 'booleans');
SELECT actual, predicted, count FROM sgd_confusion_matrix('booleans', 'labelled', 'flag', 'r, flag');
SELECT class, precision, recall, support FROM sgd_class_metrics('booleans', 'labelled', 'flag', 'r, flag');
SELECT count(*) AS thresholds, max(recall) AS top_recall FROM sgd_roc_curve('booleans', 'labelled', 'flag', 'r, flag');
SELECT count(*) AS rows, count(DISTINCT prediction) AS classes FROM sgd_predict_relation('booleans', 'labelled');
SELECT metric, value FROM sgd_evaluate('booleans', 'labelled', 'flag', 'r, flag') WHERE metric = 'accuracy';
SELECT feature, min, max FROM sgd_feature_info('labelled', 'r, flag');
-- shuffle_once trains on a temporary copy: its errors name the user's relation, not the copy
-- (corgipile_shuffle_once_<pid>_<txid>), and say that tuple positions are the copy's (every label of not_binary is
-- wrong: the first tuple of the copy fails, whatever the order)
CREATE TABLE not_binary AS SELECT 2 AS label, ARRAY[i, 1]::float8[] AS features FROM generate_series(1, 50) i;
SELECT * FROM train_sgd('not_binary', 'label', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
-- bug: outside the search path the copy was renamed to regclass's text ("s.t", s."My T"), while every other error
-- names a relation as PostgreSQL's own errors do, without its schema
CREATE SCHEMA regress_labels_other;
CREATE TABLE regress_labels_other."Not Binary" AS SELECT * FROM not_binary;
SELECT * FROM train_sgd('regress_labels_other."Not Binary"', 'label', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
DROP SCHEMA regress_labels_other CASCADE;
CREATE TABLE all_dead AS SELECT * FROM labelled;
DELETE FROM all_dead;
SELECT * FROM train_sgd('all_dead', 'n', 'features', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
-- bug: a bigint label was shown as the double it is read as (9.223372036854776E18), and softmax took the largest
-- label 2^63 for 2 classes ((long) 2^63 + 1 overflowed): labels print in plain notation
CREATE TABLE huge_label AS SELECT (CASE WHEN i = 3 THEN 9223372036854775807 ELSE i % 2 END)::bigint AS label,
    ARRAY[i, 1]::float8[] AS features FROM generate_series(1, 10) i;
SELECT * FROM train_sgd('huge_label', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT * FROM train_sgd('huge_label', 'label', 'features', model => 'softmax'); \echo SQLSTATE :SQLSTATE
RESET search_path;
DROP SCHEMA regress_labels CASCADE;
