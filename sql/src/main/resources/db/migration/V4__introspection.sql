-- corgipile introspection (issue 14): live training progress, training info, weights, feature statistics.
-- Pure SQL/PL/pgSQL: these work in a database with the extension and in one installed by Flyway alone.

-- ------------------------------------------------------------------------------------------- live progress

-- The JSON object a training backend publishes in its pg_stat_activity.query (org.corgipile.pg.LiveActivity):
-- 'corgipile train_sgd: epoch 3/10 on t (logistic, corgipile) {...}'. NULL for any other text, and for a text cut
-- short or not parseable (a monitoring view must not fail because of one backend).
CREATE FUNCTION corgipile.activity_json(query text) RETURNS jsonb
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $fn$
BEGIN
    IF left(query, 19) <> 'corgipile train_sgd' OR strpos(query, '{') = 0 THEN
        RETURN NULL;
    END IF;
    RETURN substr(query, strpos(query, '{'))::jsonb;
EXCEPTION WHEN invalid_text_representation THEN
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION corgipile.activity_json(text)
    IS 'internal: the progress object of a training backend''s pg_stat_activity.query, or NULL';

-- One row per running train_sgd, in the spirit of pg_stat_progress_*: readable from any session (training runs
-- in its caller's transaction, so its progress travels through the backend's activity slot, not through a table).
-- pg_stat_activity's visibility applies: other roles' trainings are shown to superusers and pg_read_all_stats only.
CREATE VIEW corgipile.training_progress AS
SELECT a.pid,
       a.datname,
       a.usename,
       (p.j->>'relid')::oid                                       AS relid,
       coalesce(p.j->>'relation', (p.j->>'relid')::oid::regclass::text) AS relation,
       p.j->>'model_name'                                         AS model_name,
       p.j->>'model'                                              AS model,
       p.j->>'shuffle'                                            AS strategy,
       p.j->>'phase'                                              AS phase,
       (p.j->>'epoch')::integer                                   AS epoch,
       (p.j->>'epochs')::integer                                  AS epochs,
       (p.j->>'tuples')::bigint                                   AS tuples_done,
       nullif((p.j->>'total')::bigint, -1)                        AS tuples_total,
       (p.j->>'loss')::double precision                           AS loss,
       (p.j->>'lr')::double precision                             AS learning_rate,
       (p.j->'log'->-1->>1)::double precision                     AS last_epoch_loss,
       to_timestamp((p.j->>'started')::double precision / 1000)   AS started_at,
       clock_timestamp() - to_timestamp((p.j->>'started')::double precision / 1000)       AS elapsed,
       clock_timestamp() - to_timestamp((p.j->>'epoch_started')::double precision / 1000) AS epoch_elapsed
FROM pg_stat_activity a
CROSS JOIN LATERAL (SELECT corgipile.activity_json(a.query) AS j) p
WHERE p.j IS NOT NULL;
COMMENT ON VIEW corgipile.training_progress
    IS 'Running train_sgd calls: epoch, tuples done/total within the epoch, running loss, elapsed time';
GRANT SELECT ON corgipile.training_progress TO PUBLIC;

-- ------------------------------------------------------------------------------------------- training info

-- One row per epoch of a model (like BigQuery's ML.TRAINING_INFO): while a train_sgd with this model_name runs in
-- a session whose activity the caller may see, its finished epochs so far (running = true; the newest that fit in
-- the activity slot); otherwise the stored epoch log of corgipile.models.
CREATE FUNCTION sgd_training_info(model_name text)
RETURNS TABLE(epoch integer, loss double precision, accuracy double precision, validation_loss double precision,
              validation_accuracy double precision, learning_rate double precision, seconds double precision,
              tuples bigint, running boolean)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
#variable_conflict use_column
DECLARE
    live jsonb;
BEGIN
    IF model_name IS NULL THEN
        RAISE EXCEPTION 'model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the name of a trained model: SELECT name FROM corgipile.models.';
    END IF;
    SELECT corgipile.activity_json(a.query) INTO live
    FROM pg_stat_activity a
    WHERE corgipile.activity_json(a.query)->>'model_name' = sgd_training_info.model_name
    ORDER BY a.backend_start DESC LIMIT 1;
    IF live IS NOT NULL THEN
        RETURN QUERY
        SELECT (e->>0)::integer, (e->>1)::double precision, (e->>2)::double precision, (e->>3)::double precision,
               (e->>4)::double precision, (e->>5)::double precision, (e->>6)::double precision, (e->>7)::bigint,
               true
        FROM jsonb_array_elements(live->'log') AS e;
        RETURN;
    END IF;
    RETURN QUERY
    SELECT (e->>'epoch')::integer, (e->>'loss')::double precision, (e->>'accuracy')::double precision,
           (e->>'validation_loss')::double precision, (e->>'validation_accuracy')::double precision,
           (e->>'learning_rate')::double precision, (e->>'seconds')::double precision, (e->>'tuples')::bigint,
           false
    FROM corgipile.models m, jsonb_array_elements(m.epoch_log) AS e
    WHERE m.id = corgipile.model_id(sgd_training_info.model_name)
    ORDER BY 1;
END
$fn$;
COMMENT ON FUNCTION sgd_training_info(text)
    IS 'One row per epoch of a model: loss, accuracy, validation metrics, learning rate, seconds (live while training)';

-- ------------------------------------------------------------------------------------------- weights

-- Names of a model's features, 1-based like SQL arrays (element i+1 names feature index i): the columns of a
-- column list ('x1, x2'); 'features[1]', 'features[2]', ... for one array column; 'index 0', 'index 1', ... for
-- sparse 'indices, values' (recognised by the first column being an array in the source relation).
CREATE FUNCTION corgipile.feature_names(source_relation text, features text, dimension integer) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    cols text[] := ARRAY(SELECT btrim(c) FROM unnest(string_to_array(features, ',')) AS c);
    first_is_array boolean;
BEGIN
    IF cardinality(cols) = 1 THEN
        RETURN ARRAY(SELECT cols[1] || '[' || i || ']' FROM generate_series(1, dimension) AS i);
    END IF;
    SELECT t.typcategory = 'A' INTO first_is_array
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = to_regclass(source_relation) AND a.attname = cols[1] AND NOT a.attisdropped;
    IF cardinality(cols) = dimension AND NOT coalesce(first_is_array, false) THEN
        RETURN cols;
    END IF;
    RETURN ARRAY(SELECT 'index ' || i FROM generate_series(0, dimension - 1) AS i);
END
$fn$;
COMMENT ON FUNCTION corgipile.feature_names(text, text, integer)
    IS 'internal: display names of a model''s features from its features argument';

-- The weights of a linear model (logistic, svm, linear) or of each class of a softmax model, like BigQuery's
-- ML.WEIGHTS: one row per feature and one '(bias)' row per class.
CREATE FUNCTION sgd_weights(model_name text)
RETURNS TABLE(class integer, feature_index integer, feature text, weight double precision)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
#variable_conflict use_column
DECLARE
    m      corgipile.models;
    names  text[];
    blocks integer;
BEGIN
    IF model_name IS NULL THEN
        RAISE EXCEPTION 'model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the name of a trained model: SELECT name FROM corgipile.models.';
    END IF;
    SELECT * INTO m FROM corgipile.models x WHERE x.id = corgipile.model_id(sgd_weights.model_name);
    IF m.model_type NOT IN ('logistic', 'svm', 'linear', 'softmax') THEN
        RAISE EXCEPTION 'sgd_weights supports logistic, svm, linear and softmax models; "%" is %',
            sgd_weights.model_name, m.model_type USING ERRCODE = 'feature_not_supported',
            HINT = 'The parameters of any model are in corgipile.models.parameters.';
    END IF;
    names := corgipile.feature_names(m.source_relation, m.features_column, m.dimension);
    blocks := cardinality(m.parameters) / (m.dimension + 1);
    RETURN QUERY
    SELECT CASE WHEN blocks = 1 THEN NULL ELSE c END,
           CASE WHEN i = m.dimension THEN NULL ELSE i END,
           CASE WHEN i = m.dimension THEN '(bias)' ELSE names[i + 1] END,
           m.parameters[c * (m.dimension + 1) + i + 1]
    FROM generate_series(0, blocks - 1) AS c, generate_series(0, m.dimension) AS i
    ORDER BY c, i;
END
$fn$;
COMMENT ON FUNCTION sgd_weights(text)
    IS 'Weights of a logistic/svm/linear model (per class for softmax) with feature names; the bias as (bias)';

-- ------------------------------------------------------------------------------------------- feature statistics

-- Per feature of relation: min, max, mean, sample standard deviation and the rows where it is NULL (like
-- BigQuery's ML.FEATURE_INFO). features as train_sgd takes them: one array column or a list of numeric columns.
-- Runs as the caller through the executor: SELECT privilege and row-level security apply.
CREATE FUNCTION sgd_feature_info(relation regclass, features text)
RETURNS TABLE(feature_index integer, feature text, min double precision, max double precision,
              mean double precision, stddev double precision, nulls bigint)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
#variable_conflict use_column
DECLARE
    cols  text[];
    kinds text[];
    col   text;
    kind  text;
    sel   text := '';
    n     integer := 0;
BEGIN
    IF relation IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation and features must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example sgd_feature_info(''my_table'', ''features'').';
    END IF;
    cols := ARRAY(SELECT btrim(c) FROM unnest(string_to_array(features, ',')) AS c);
    IF cardinality(cols) = 0 OR '' = ANY (cols) THEN
        RAISE EXCEPTION 'features must name one array column or a comma-separated list of columns, got "%"',
            features USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''features'' or ''x1, x2''.';
    END IF;
    FOREACH col IN ARRAY cols LOOP
        SELECT CASE WHEN t.typcategory = 'A' AND et.typcategory = 'N' THEN 'array'
                    WHEN t.typcategory = 'N' THEN 'scalar'
                    ELSE format_type(a.atttypid, a.atttypmod) END INTO kind
        FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid LEFT JOIN pg_type et ON et.oid = t.typelem
        WHERE a.attrelid = relation AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped;
        IF kind IS NULL THEN
            RAISE EXCEPTION 'column "%" of relation % does not exist', col, relation
                USING ERRCODE = 'undefined_column', HINT = 'features names columns of the relation, e.g. ''x1, x2''.';
        END IF;
        IF kind NOT IN ('array', 'scalar') THEN
            RAISE EXCEPTION 'feature column "%" has type %, not a number or an array of numbers', col, kind
                USING ERRCODE = 'datatype_mismatch',
                      HINT = 'Features are smallint, integer, bigint, real, double precision or numeric (or arrays of them).';
        END IF;
        kinds := kinds || kind;
    END LOOP;
    IF 'array' = ANY (kinds) AND cardinality(cols) > 1 THEN
        RAISE EXCEPTION 'sgd_feature_info takes one array column or a list of numeric columns, not sparse '
            '''indices, values'' pairs' USING ERRCODE = 'feature_not_supported',
            HINT = 'Statistics of sparse features: unnest the values in SQL.';
    END IF;
    IF kinds[1] = 'array' THEN
        RETURN QUERY EXECUTE format(
            'SELECT (u.i - 1)::integer, %L || ''['' || u.i || '']'', min(u.v), max(u.v), avg(u.v), '
            '       stddev_samp(u.v), (SELECT count(*) FROM %s) - count(u.v) '
            'FROM %s AS r, unnest(r.%I::float8[]) WITH ORDINALITY AS u(v, i) GROUP BY u.i ORDER BY u.i',
            cols[1], relation, relation, cols[1]);
        RETURN;
    END IF;
    FOREACH col IN ARRAY cols LOOP
        sel := sel || CASE WHEN n > 0 THEN ', ' ELSE '' END
                   || format('(%s, %L, r.%I::float8)', n, col, col);
        n := n + 1;
    END LOOP;
    RETURN QUERY EXECUTE format(
        'SELECT v.i, v.name, min(v.x), max(v.x), avg(v.x), stddev_samp(v.x), count(*) - count(v.x) '
        'FROM %s AS r CROSS JOIN LATERAL (VALUES %s) AS v(i, name, x) GROUP BY v.i, v.name ORDER BY v.i',
        relation, sel);
END
$fn$;
COMMENT ON FUNCTION sgd_feature_info(regclass, text)
    IS 'Per feature of a relation: min, max, mean, stddev and NULL count (features as train_sgd takes them)';
