-- corgipile SQL functions (everything that is not C): user-facing functions in the creation schema (public by
-- default), helpers in schema corgipile.
--
-- The in-database functions train_sgd and sgd_evaluate are PL/pgSQL wrappers around the C entry points
-- corgipile._invoke / _check_relation declared by the extension script (which also declares the C functions
-- sgd_predict and sgd_predict_proba); applied by Flyway alone (no extension), they raise a clear error instead.
-- The pure-SQL helpers (glm_margin, sql_predict) work everywhere, e.g. for models trained client-side.

GRANT USAGE ON SCHEMA corgipile TO PUBLIC;
GRANT SELECT, INSERT, DELETE ON corgipile.models TO PUBLIC;

-- ---------------------------------------------------------------------------------------------- private helpers

CREATE FUNCTION corgipile.jsonb_to_float8_array(j jsonb) RETURNS double precision[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN j IS NULL OR jsonb_typeof(j) = 'null' THEN NULL
                ELSE ARRAY(SELECT v::double precision FROM jsonb_array_elements_text(j) AS e(v)) END
$fn$;
COMMENT ON FUNCTION corgipile.jsonb_to_float8_array(jsonb) IS 'JSON array of numbers to float8[] (NULL stays NULL)';

-- Raises the "extension missing" error when the C entry points are absent (catalog installed by Flyway only).
CREATE FUNCTION corgipile.require_extension(fn text) RETURNS void
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    IF to_regprocedure('corgipile._invoke(text,jsonb)') IS NULL THEN
        RAISE EXCEPTION '% needs the corgipile extension in this database', fn
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'Run CREATE EXTENSION corgipile (as a superuser), or train client-side: ./corgipile train --mode client.';
    END IF;
END
$fn$;

-- Looks up a model row by name, or raises undefined_object.
CREATE FUNCTION corgipile.model_id(model_name text) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    mid bigint;
BEGIN
    SELECT m.id INTO mid FROM corgipile.models m WHERE m.name = model_name;
    IF mid IS NULL THEN
        RAISE EXCEPTION 'model "%" does not exist', model_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Trained models are listed in corgipile.models (SELECT name FROM corgipile.models).';
    END IF;
    RETURN mid;
END
$fn$;

-- ------------------------------------------------------------------------------------ pure SQL model helpers

CREATE FUNCTION corgipile.glm_margin(parameters double precision[], feature_mean double precision[],
                                     feature_std double precision[], features double precision[])
RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT parameters[cardinality(parameters)]
         + coalesce(sum(parameters[i] * CASE WHEN feature_mean IS NULL THEN features[i]
                                              ELSE (features[i] - feature_mean[i]) / feature_std[i] END), 0)
    FROM generate_subscripts(features, 1) AS g(i)
$fn$;
COMMENT ON FUNCTION corgipile.glm_margin(double precision[], double precision[], double precision[], double precision[])
    IS 'w.x + b of a logistic/svm/linear model (parameters w_0..w_{d-1}, b), with optional standardisation';

CREATE FUNCTION corgipile.sql_predict(model_name text, features double precision[]) RETURNS double precision
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    m corgipile.models;
    margin double precision;
BEGIN
    SELECT * INTO m FROM corgipile.models x WHERE x.id = corgipile.model_id(model_name);
    IF m.model_type NOT IN ('logistic', 'svm', 'linear') THEN
        RAISE EXCEPTION 'corgipile.sql_predict supports logistic, svm and linear models; "%" is %', model_name,
            m.model_type USING ERRCODE = 'feature_not_supported', HINT = 'Use sgd_predict (needs the extension).';
    END IF;
    IF cardinality(features) <> m.dimension THEN
        RAISE EXCEPTION 'features have % values but model "%" expects %', cardinality(features), model_name,
            m.dimension USING ERRCODE = 'data_exception';
    END IF;
    margin := corgipile.glm_margin(m.parameters, m.feature_mean, m.feature_std, features);
    IF m.model_type = 'linear' THEN
        RETURN margin;
    END IF;
    RETURN CASE WHEN margin > 0 THEN 1 WHEN m.params->>'label_encoding' = '-1/+1' THEN -1 ELSE 0 END;
END
$fn$;
COMMENT ON FUNCTION corgipile.sql_predict(text, double precision[])
    IS 'Prediction of a stored logistic/svm/linear model in plain SQL (no extension needed)';

-- ------------------------------------------------------------------------------------- in-database training

CREATE FUNCTION train_sgd(
    relation            regclass,
    label               text,
    features            text,
    model               text DEFAULT 'logistic',
    shuffle             text DEFAULT 'corgipile',
    epochs              integer DEFAULT 10,
    learning_rate       double precision DEFAULT 0.1,
    batch_size          integer DEFAULT 1,
    l2                  double precision DEFAULT 0,
    block_size          integer DEFAULT 1280,
    buffer_size         double precision DEFAULT NULL,
    model_name          text DEFAULT NULL,
    validation_relation regclass DEFAULT NULL,
    seed                bigint DEFAULT NULL,
    device              text DEFAULT 'cpu',
    options             jsonb DEFAULT '{}')
RETURNS SETOF corgipile.epoch_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    spec        jsonb;
    result      jsonb;
    overwrite   boolean;
    old_version integer;
    source      regclass := relation;
    tmp_name    text;
    columns     text;
    started     timestamptz;
    prep        double precision := 0;
BEGIN
    PERFORM corgipile.require_extension('train_sgd');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object, got %', coalesce(options::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example options => ''{"l1": 0.001}''.';
    END IF;
    -- Named arguments first, options override them (options also carry the rarer arguments: schedule, decay, l1,
    -- early_stop_patience, standardize, hidden, classes, train_metrics, overwrite, dimension).
    spec := jsonb_strip_nulls(jsonb_build_object(
                'model', model, 'shuffle', shuffle, 'epochs', epochs, 'learning_rate', learning_rate,
                'batch_size', batch_size, 'l2', l2, 'block_size', block_size, 'buffer_size', buffer_size,
                'seed', seed, 'device', device)) || options;
    overwrite := lower(coalesce(spec->>'overwrite', 'false')) IN ('true', 'on', '1', 'yes');
    IF model_name IS NOT NULL THEN
        IF length(model_name) NOT BETWEEN 1 AND 200 THEN
            RAISE EXCEPTION 'model_name must have 1 to 200 characters, got %', length(model_name)
                USING ERRCODE = 'invalid_parameter_value';
        END IF;
        IF NOT overwrite AND EXISTS (SELECT 1 FROM corgipile.models m WHERE m.name = model_name) THEN
            RAISE EXCEPTION 'model "%" already exists', model_name
                USING ERRCODE = 'duplicate_object',
                      HINT = 'Choose another model_name, or pass options => ''{"overwrite": true}'' to replace it.';
        END IF;
    END IF;

    -- shuffle_once (Bismarck; MADlib after a manual shuffle): copy the data once in random order into a temporary
    -- table, then read that in storage order. The copy time is added to the first epoch.
    IF spec->>'shuffle' = 'shuffle_once' THEN
        PERFORM corgipile._check_relation(relation, label, features);
        started := clock_timestamp();
        IF spec ? 'seed' THEN
            PERFORM setseed(((spec->>'seed')::bigint % 2147483647) / 2147483647.0);
        END IF;
        SELECT string_agg(quote_ident(btrim(c)), ', ') INTO columns
        FROM unnest(string_to_array(features, ',')) AS c;
        tmp_name := 'corgipile_shuffle_once_' || pg_backend_pid() || '_' || txid_current();
        EXECUTE format('CREATE TEMPORARY TABLE %I AS SELECT %I, %s FROM %s ORDER BY random()',
                       tmp_name, label, columns, relation);
        source := ('pg_temp.' || quote_ident(tmp_name))::regclass;
        prep := extract(epoch FROM clock_timestamp() - started);
    END IF;

    result := corgipile._invoke('train', jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', spec - 'dimension', 'dimension', spec->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep));

    IF tmp_name IS NOT NULL THEN
        EXECUTE format('DROP TABLE pg_temp.%I', tmp_name);
    END IF;

    IF model_name IS NOT NULL THEN
        DELETE FROM corgipile.models m WHERE m.name = model_name RETURNING m.version INTO old_version;
        INSERT INTO corgipile.models (name, model_type, dimension, parameters, feature_mean, feature_std, params,
                                      spec, seed, source_relation, label_column, features_column, epoch_log,
                                      metrics, trained_in, version, corgipile_version)
        VALUES (model_name, result->'model'->>'type', (result->'model'->>'dimension')::integer,
                corgipile.jsonb_to_float8_array(result->'model'->'parameters'),
                corgipile.jsonb_to_float8_array(result->'model'->'mean'),
                corgipile.jsonb_to_float8_array(result->'model'->'std'),
                result->'model'->'params', result->'spec', (result->'spec'->>'seed')::bigint, relation::text,
                label, features, result->'epochs', result->'metrics', 'server', coalesce(old_version, 0) + 1,
                result->>'corgipile_version');
    END IF;

    RETURN QUERY
    SELECT (e->>'epoch')::integer, (e->>'loss')::double precision, (e->>'accuracy')::double precision,
           (e->>'validation_loss')::double precision, (e->>'validation_accuracy')::double precision,
           (e->>'learning_rate')::double precision, (e->>'seconds')::double precision, (e->>'tuples')::bigint,
           e->>'device'
    FROM jsonb_array_elements(result->'epochs') AS e;
END
$fn$;
COMMENT ON FUNCTION train_sgd(regclass, text, text, text, text, integer, double precision, integer,
                              double precision, integer, double precision, text, regclass, bigint, text, jsonb)
    IS 'Train a model with CorgiPile shuffled SGD on the heap blocks of a table; one row per epoch';

CREATE FUNCTION sgd_evaluate(model_name text, relation regclass, label text, features text)
RETURNS TABLE(metric text, value double precision)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    result jsonb;
    mid    bigint;
BEGIN
    PERFORM corgipile.require_extension('sgd_evaluate');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    mid := corgipile.model_id(model_name);
    result := corgipile._invoke('evaluate', jsonb_build_object(
        'model', (SELECT to_jsonb(m) FROM corgipile.models m WHERE m.id = mid),
        'relation', relation::oid::bigint, 'label', label, 'features', features));
    RETURN QUERY
    SELECT e->>0, (e->>1)::double precision FROM jsonb_array_elements(result->'metrics') AS e;
END
$fn$;
COMMENT ON FUNCTION sgd_evaluate(text, regclass, text, text)
    IS 'Metrics of a stored model on a relation: accuracy, precision, recall, f1, auc, log_loss or rmse, mae, r2';

-- ------------------------------------------------------------------------------------------------- diagnostics

CREATE FUNCTION corgipile.scan_stats(relation regclass, label text, features text, block_pages integer DEFAULT 1280)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_extension('corgipile.scan_stats');
    RETURN corgipile._invoke('scan_stats', jsonb_build_object('relation', relation::oid::bigint, 'label', label,
                                                              'features', features, 'block_pages', block_pages));
END
$fn$;
COMMENT ON FUNCTION corgipile.scan_stats(regclass, text, text, integer)
    IS 'Reads a relation through the heap-block reader: tuples, pages, label and feature sums, seconds';

CREATE FUNCTION corgipile.jvm_info() RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_extension('corgipile.jvm_info');
    RETURN corgipile._invoke('jvm_info', '{}');
END
$fn$;
COMMENT ON FUNCTION corgipile.jvm_info() IS 'The JVM of this session: Java version, heap, threads (starts it if needed)';
