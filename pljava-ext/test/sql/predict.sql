-- sgd_predict / sgd_predict_proba: stored models, feature vectors of the model's dimension, no NULLs or NaNs.
-- The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_predict;
SET search_path = regress_predict, public;
CREATE TABLE good AS SELECT (i % 2) AS label, ARRAY[(i % 2) + 0.1 * (i % 5), 1]::float8[] AS features,
    (i % 3) AS three, (i * 0.5)::float8 AS y FROM generate_series(1, 200) i;
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 2, seed => 1, model_name => 'p_log');
SELECT count(*) AS epochs FROM train_sgd('good', 'y', 'features', model => 'linear', epochs => 1, seed => 1,
    learning_rate => 0.01, model_name => 'p_lin');
SELECT count(*) AS epochs FROM train_sgd('good', 'three', 'features', model => 'softmax', epochs => 1, seed => 1,
    model_name => 'p_soft');
SELECT sgd_predict('p_log', '{1.2, 1}') IN (0, 1) AS label, sgd_predict_proba('p_log', '{1.2, 1}') BETWEEN 0 AND 1 AS p;
SELECT sgd_predict('p_lin', '{1, 1}') IS NOT NULL AS value, sgd_predict_proba('p_lin', '{1, 1}') IS NULL AS no_proba;
SELECT sgd_predict('p_soft', '{1, 1}') IN (0, 1, 2) AS class;
SELECT bool_and(sgd_predict('p_log', features) = corgipile.sql_predict('p_log', features)) AS same_as_sql FROM good;
SELECT sgd_predict('p_log', NULL) IS NULL AS strict;
SELECT sgd_predict('p_log', '{0.5,1,2}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('p_log', '{}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('p_log', '{NaN,1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('p_log', '{Infinity,1}'); \echo SQLSTATE :SQLSTATE
-- predict_array_errors_have_hints: sgd_predict's 22004 and 2202E had no hint (sgd_predict_probabilities' and the
-- client's had)
SELECT sgd_predict('p_log', '{1,NULL}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('p_log', '{{1,2},{3,4}}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict('nope', '{0.5,1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict_proba('nope', '{0.5,1}'); \echo SQLSTATE :SQLSTATE
SELECT sgd_predict(NULL, '{0.5,1}') IS NULL AS strict;
-- bug: sgd_predict_relation over rows whose feature array is not the model's length said "features have 1 values but
-- the logistic model expects 2", naming no row; it names the tuple as the heap reader's row errors do
CREATE TABLE short_rows AS SELECT ARRAY[i, 1]::float8[] AS features FROM generate_series(1, 3) i;
UPDATE short_rows SET features = '{3}' WHERE features[1] = 3;
SELECT * FROM sgd_predict_relation('p_log', 'short_rows'); \echo SQLSTATE :SQLSTATE
CREATE TABLE short_parted (id int, features float8[]) PARTITION BY RANGE (id);
CREATE TABLE short_parted_1 PARTITION OF short_parted FOR VALUES FROM (0) TO (10);
CREATE TABLE short_parted_2 PARTITION OF short_parted FOR VALUES FROM (10) TO (20);
INSERT INTO short_parted SELECT i, CASE WHEN i = 12 THEN '{}' ELSE ARRAY[i, 1] END FROM generate_series(0, 19) i;
SELECT * FROM sgd_predict_relation('p_log', 'short_parted'); \echo SQLSTATE :SQLSTATE
-- bug: sgd_predict_relation, sgd_confusion_matrix and sgd_roc_curve over a numeric beyond double precision ended in
-- numeric's cast's bare 22003 (no column, no row, no hint); they give training's error, naming the tuple. A numeric
-- below double precision is 0, as training reads it (the cast failed there too).
CREATE TABLE numerics AS SELECT i % 2 AS label, ARRAY[i % 2, 1]::numeric[] AS features, (i % 2)::numeric AS a,
    1::numeric AS b FROM generate_series(1, 40) i;
SELECT count(*) AS epochs FROM train_sgd('numerics', 'label', 'features', epochs => 1, seed => 1,
    model_name => 'p_num');
SELECT count(*) AS epochs FROM train_sgd('numerics', 'label', 'a, b', epochs => 1, seed => 1,
    model_name => 'p_num_ab');
UPDATE numerics SET features = '{1e-400, 1}', b = -1e-400 WHERE ctid = '(0,3)';
SELECT count(*) AS rows FROM sgd_predict_relation('p_num', 'numerics');
SELECT count(*) AS rows FROM sgd_predict_relation('p_num_ab', 'numerics');
UPDATE numerics SET features = '{1e400, 1}', a = -1e400 WHERE ctid = '(0,5)';
SELECT * FROM train_sgd('numerics', 'label', 'features', epochs => 1); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM sgd_predict_relation('p_num', 'numerics'); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM sgd_predict_relation('p_num_ab', 'numerics'); \echo SQLSTATE :SQLSTATE
SELECT * FROM sgd_confusion_matrix('p_num', 'numerics', 'label', 'features'); \echo SQLSTATE :SQLSTATE
SELECT count(*) FROM sgd_roc_curve('p_num_ab', 'numerics', 'label', 'a, b'); \echo SQLSTATE :SQLSTATE
-- bug: sgd_predict_relation computed a row's features up to four times (the length check's cardinality twice, its
-- ELSE, and that CASE again for sgd_predict and for sgd_predict_proba): numeric columns converted each time, a
-- subquery per row for numeric[]. Its query computes them once, in a subquery behind an OFFSET 0 fence: the plan
-- converts each numeric column once (one unnest of the numeric[] column, one range check per column).
CREATE FUNCTION pg_temp.plan_of(query text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (VERBOSE, COSTS OFF) ' || query;
END
$$;
SELECT m AS model, regexp_count(string_agg(p, E'\n'), 'Function Scan on pg_catalog.unnest') AS unnests,
       regexp_count(string_agg(p, E'\n'), 'beyond_double_precision') AS range_checks
FROM unnest(ARRAY['p_num', 'p_num_ab']) AS m, pg_temp.plan_of(corgipile.predict_relation_query(m, 'numerics')) AS p
GROUP BY m ORDER BY m;
CREATE TABLE numeric_label AS SELECT CASE WHEN i = 3 THEN 1e400 ELSE i % 2 END AS label,
    ARRAY[i % 2, 1]::float8[] AS features FROM generate_series(1, 10) i;
SELECT * FROM sgd_confusion_matrix('p_log', 'numeric_label', 'label', 'features'); \echo SQLSTATE :SQLSTATE
-- sgd_predict of a numeric[] vector: PostgreSQL casts the argument to float8[] before sgd_predict runs (an overload
-- for numeric[] would make a literal such as '{1, 2}' ambiguous)
SELECT sgd_predict('p_num', '{1e400, 1}'::numeric[]); \echo SQLSTATE :SQLSTATE
RESET search_path;
DROP SCHEMA regress_predict CASCADE;
DELETE FROM corgipile.models WHERE name LIKE 'p\_%';
