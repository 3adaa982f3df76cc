-- Trainings inside transactions: a failed or rolled-back training leaves no model row, a failed call leaves no
-- reader behind (the next call in the same session works), savepoints undo a failed training.
-- The SQLSTATE follows each failing statement.
\set SHOW_CONTEXT never
SET client_min_messages = warning;
CREATE SCHEMA regress_transactions;
SET search_path = regress_transactions, public;
CREATE TABLE good AS SELECT (i % 2) AS label, ARRAY[(i % 2) + 0.1 * (i % 5), 1]::float8[] AS features
    FROM generate_series(1, 2000) i;
-- a NaN in the last row: the training fails in its first epoch, after it started reading
CREATE TABLE late_nan AS SELECT * FROM good;
INSERT INTO late_nan VALUES (1, '{NaN,1}');
SELECT * FROM train_sgd('late_nan', 'label', 'features', shuffle => 'none', model_name => 't_never'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS rows FROM corgipile.models WHERE name = 't_never';
BEGIN;
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1, model_name => 't_rolled_back');
ROLLBACK;
SELECT count(*) AS rows FROM corgipile.models WHERE name = 't_rolled_back';
BEGIN;
SELECT * FROM train_sgd('good', 'label', 'no_such_column', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
SELECT 1; \echo SQLSTATE :SQLSTATE
ROLLBACK;
-- a failed relation check (shuffle_once) left a stale reader that broke the next call
SELECT * FROM train_sgd('good', 'label', 'no_such_column', shuffle => 'shuffle_once'); \echo SQLSTATE :SQLSTATE
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1);
BEGIN;
SAVEPOINT s;
SELECT * FROM train_sgd('late_nan', 'label', 'features', model_name => 't_in_savepoint'); \echo SQLSTATE :SQLSTATE
ROLLBACK TO SAVEPOINT s;
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1, model_name => 't_after_savepoint');
COMMIT;
SELECT name FROM corgipile.models WHERE name IN ('t_in_savepoint', 't_after_savepoint') ORDER BY name;
-- inside a PL/pgSQL exception block (a subtransaction): the error is caught, the JVM and the reader recover
DO $$
BEGIN
    PERFORM * FROM train_sgd('late_nan', 'label', 'features', model_name => 't_caught');
EXCEPTION WHEN data_exception THEN
    RAISE WARNING 'caught %', SQLSTATE;
END $$;
SELECT count(*) AS rows FROM corgipile.models WHERE name = 't_caught';
SET statement_timeout = '1ms';
SELECT * FROM train_sgd('good', 'label', 'features', epochs => 100000, model_name => 't_timed_out'); \echo SQLSTATE :SQLSTATE
RESET statement_timeout;
SELECT count(*) AS rows FROM corgipile.models WHERE name = 't_timed_out';
SELECT count(*) AS epochs FROM train_sgd('good', 'label', 'features', epochs => 1);
RESET search_path;
DROP SCHEMA regress_transactions CASCADE;
DELETE FROM corgipile.models WHERE name LIKE 't\_%';
