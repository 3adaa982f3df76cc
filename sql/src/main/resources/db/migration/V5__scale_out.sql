-- Scale-out (issue 15): partitioned tables, on one server and across several.
--
-- train_sgd, sgd_evaluate and corgipile.scan_stats accept a partitioned table: the heap reader reads every local
-- leaf partition as a table of its own (same snapshot, each partition's own SELECT privilege and row-level security
-- check) and shuffles blocks across all of them. corgipile.relation_leaves finds the leaves and checks the parent.

-- ------------------------------------------------------------------------------------------------- partitions

-- The leaves of a partitioned relation, or NULL for any other relation: {"local": [oid of each non-empty local
-- leaf, in partition-tree order], "foreign": [{"oid", "name", "server"} of each postgres_fdw leaf]}. Checks the
-- parent as a query on it would (SELECT on the table or on the columns read; row-level security refused, as the
-- heap reader refuses it on a table); each leaf is checked again when the reader opens it.
CREATE FUNCTION corgipile.relation_leaves(relation regclass, label text, features text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    cols   text[];
    leaves jsonb;
BEGIN
    IF relation IS NULL OR (SELECT c.relkind FROM pg_class c WHERE c.oid = relation) <> 'p' THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(btrim(c)) INTO cols FROM unnest(string_to_array(features, ',')) AS c;
    IF NOT has_table_privilege(relation, 'SELECT')
       AND NOT (has_column_privilege(relation, label, 'SELECT')
                AND (SELECT bool_and(has_column_privilege(relation, c, 'SELECT')) FROM unnest(cols) AS c)) THEN
        RAISE EXCEPTION 'permission denied for table %', relation
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Training reads the label and feature columns: GRANT SELECT on them (and on each partition).';
    END IF;
    IF row_security_active(relation) THEN
        RAISE EXCEPTION 'relation % has row-level security enabled for this user', relation
            USING ERRCODE = 'insufficient_privilege',
                  DETAIL = 'corgipile reads heap blocks directly and does not apply row-level security policies.',
                  HINT = format('Train on a copy made under your policies, e.g. CREATE TEMP TABLE t2 AS SELECT * FROM %s.',
                                relation);
    END IF;
    SELECT jsonb_build_object(
               'local', coalesce(jsonb_agg(t.relid::oid::bigint ORDER BY t.n)
                                 FILTER (WHERE c.relkind IN ('r', 'm') AND pg_relation_size(t.relid) > 0), '[]'),
               'foreign', coalesce(jsonb_agg(jsonb_build_object('oid', t.relid::oid::bigint, 'name', t.relid::text,
                                                                'server', s.srvname) ORDER BY t.n)
                                   FILTER (WHERE c.relkind = 'f'), '[]'))
    INTO leaves
    FROM pg_partition_tree(relation) WITH ORDINALITY AS t(relid, parentrelid, isleaf, level, n)
    JOIN pg_class c ON c.oid = t.relid
    LEFT JOIN pg_foreign_table ft ON ft.ftrelid = t.relid
    LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver
    WHERE t.isleaf;
    RETURN leaves;
END
$fn$;
COMMENT ON FUNCTION corgipile.relation_leaves(regclass, text, text)
    IS 'internal: local and foreign leaf partitions of a partitioned relation (NULL otherwise), after checking the parent';

-- Local leaves only, for now: foreign (postgres_fdw) leaves are trained on their servers by corgipile.train_sharded.
CREATE FUNCTION corgipile.local_leaves(leaves jsonb, relation regclass) RETURNS jsonb
LANGUAGE plpgsql STABLE PARALLEL UNSAFE AS $fn$
BEGIN
    IF leaves IS NULL THEN
        RETURN NULL;
    END IF;
    IF jsonb_array_length(leaves->'foreign') > 0 THEN
        RAISE EXCEPTION 'partition % of % is a foreign table', leaves->'foreign'->0->>'name', relation
            USING ERRCODE = 'wrong_object_type',
                  HINT = 'corgipile reads heap blocks; train on the server that holds the partition.';
    END IF;
    RETURN leaves->'local';
END
$fn$;
COMMENT ON FUNCTION corgipile.local_leaves(jsonb, regclass) IS 'internal: the local leaves of relation_leaves, refusing foreign ones';

-- ------------------------------------------------------------------ train_sgd, sgd_evaluate, scan_stats again

CREATE OR REPLACE FUNCTION train_sgd(
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
    leaves      jsonb;
    vleaves     jsonb;
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
    leaves := corgipile.relation_leaves(relation, label, features);
    vleaves := corgipile.local_leaves(corgipile.relation_leaves(validation_relation, label, features),
                                      validation_relation);
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
        IF leaves IS NULL THEN
            PERFORM corgipile._check_relation(relation, label, features);
        ELSE
            PERFORM corgipile._check_relation(l::bigint::oid::regclass, label, features)
            FROM jsonb_array_elements_text(corgipile.local_leaves(leaves, relation)) AS l;
            leaves := NULL;
        END IF;
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
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep,
        'relations', corgipile.local_leaves(leaves, relation), 'validations', vleaves,
        'validation_name', validation_relation::text));

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

CREATE OR REPLACE FUNCTION sgd_evaluate(model_name text, relation regclass, label text, features text)
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
        'relation', relation::oid::bigint, 'label', label, 'features', features, 'relation_name', relation::text,
        'relations', corgipile.local_leaves(corgipile.relation_leaves(relation, label, features), relation)));
    RETURN QUERY
    SELECT e->>0, (e->>1)::double precision FROM jsonb_array_elements(result->'metrics') AS e;
END
$fn$;
COMMENT ON FUNCTION sgd_evaluate(text, regclass, text, text)
    IS 'Metrics of a stored model on a relation: accuracy, precision, recall, f1, auc, log_loss or rmse, mae, r2';

CREATE OR REPLACE FUNCTION corgipile.scan_stats(relation regclass, label text, features text, block_pages integer DEFAULT 1280)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_extension('corgipile.scan_stats');
    RETURN corgipile._invoke('scan_stats', jsonb_build_object('relation', relation::oid::bigint, 'label', label,
                                                              'features', features, 'block_pages', block_pages,
                                                              'relation_name', relation::text,
                                                              'relations', corgipile.local_leaves(
                                                                  corgipile.relation_leaves(relation, label, features),
                                                                  relation)));
END
$fn$;
COMMENT ON FUNCTION corgipile.scan_stats(regclass, text, text, integer)
    IS 'Reads a relation through the heap-block reader: tuples, pages, label and feature sums, seconds';

