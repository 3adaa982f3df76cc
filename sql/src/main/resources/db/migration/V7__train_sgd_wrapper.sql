-- train_sgd as a thin wrapper (issue 16): V2, V3 and V5 each repeated its whole PL/pgSQL body and V6 rewrote its
-- defaults by text replacement. From here on:
--   * train_sgd declares the signature and the defaults users see, once, and forwards every argument to
--     corgipile.train; it does nothing else, so no later migration needs to redefine it;
--   * the engine (Java, corgipile._invoke('train_arguments')) merges the named arguments with options, validates
--     them with the one options parser and checks the model name; a new option or a new default is a Java change;
--   * corgipile.train keeps only the steps that need SQL, in order: check the call, ask the engine, find the leaf
--     partitions, claim the model name, the shuffle_once copy, train (corgipile.train_relation), store the row,
--     return the epochs. A later change to one step (the catalog write, the sharded path) replaces that step.

-- ------------------------------------------------------------------------------------- in-database training

-- train_sgd's steps (see above), defined once here in their final form: the shuffle_once copy
-- (corgipile.shuffle_once_copy, V7_1) and the catalog's one writer (corgipile.store_model, V8) are created by later
-- migrations of the same release and resolved when called. Arguments: the call's, with the named hyper-parameters as one JSON object
-- (NULL: not given).
CREATE FUNCTION corgipile.train(relation regclass, label text, features text, model_name text,
                                validation_relation regclass, arguments jsonb, options jsonb)
RETURNS SETOF corgipile.epoch_result
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    plan          jsonb;
    result        jsonb;
    source        regclass := relation;
    shuffled      regclass;
    started       timestamptz;
    prep          double precision := 0;
    leaves        jsonb;
    vleaves       jsonb;
BEGIN
    PERFORM corgipile.require_extension('train_sgd');
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object, got %', coalesce(options::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example options => ''{"l1": 0.001}''.';
    END IF;
    -- {spec (named arguments, options over them; as given), dimension, overwrite, shuffle}, or 22023
    plan := corgipile._invoke('train_arguments', jsonb_build_object(
        'arguments', arguments, 'options', options, 'model_name', model_name));
    leaves := corgipile.relation_leaves(relation, label, features);
    vleaves := corgipile.local_leaves(corgipile.relation_leaves(validation_relation, label, features),
                                      validation_relation);
    IF model_name IS NOT NULL THEN
        -- Claim the name now (lock, exists?, owner?), not after training: see corgipile.claim_model_name.
        PERFORM corgipile.model_write_owner(model_name, (plan->>'overwrite')::boolean);
    END IF;

    -- shuffle_once (Bismarck; MADlib after a manual shuffle): one copy in the order of the seed
    -- (corgipile.shuffle_once_copy), then read in storage order; the copy time is added to the first epoch.
    -- (on foreign partitions each server shuffles its share once in memory instead: rows stay on their servers)
    IF plan->>'shuffle' = 'shuffle_once' AND jsonb_array_length(coalesce(leaves->'foreign', '[]')) = 0 THEN
        IF leaves IS NULL THEN
            PERFORM corgipile._check_relation(relation, label, features);
        ELSE
            PERFORM corgipile._check_relation(l::bigint::oid::regclass, label, features)
            FROM jsonb_array_elements_text(corgipile.local_leaves(leaves, relation)) AS l;
            leaves := NULL;
        END IF;
        started := clock_timestamp();
        shuffled := corgipile.shuffle_once_copy(relation, label, features, (plan->'spec'->>'seed')::bigint);
        source := shuffled;
        prep := extract(epoch FROM clock_timestamp() - started);
    END IF;

    result := corgipile.train_relation(jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', plan->'spec', 'dimension', plan->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep,
        'validations', vleaves, 'validation_name', validation_relation::text, 'model_name', model_name,
        'activity_limit', pg_size_bytes(current_setting('track_activity_query_size')),
        'warm_start_model', corgipile.model_row(plan->'spec'->>'warm_start')), leaves);

    IF shuffled IS NOT NULL THEN
        EXECUTE format('DROP TABLE %s', shuffled);
    END IF;

    IF model_name IS NOT NULL THEN
        PERFORM corgipile.store_model(model_name, (plan->>'overwrite')::boolean, jsonb_build_object(
            'model_type', result->'model'->'type', 'dimension', result->'model'->'dimension',
            'parameters', result->'model'->'parameters', 'feature_mean', result->'model'->'mean',
            'feature_std', result->'model'->'std', 'params', result->'model'->'params', 'spec', result->'spec',
            'seed', result->'spec'->'seed', 'source_relation', relation::text, 'label_column', label,
            'features_column', features, 'epoch_log', result->'epochs', 'metrics', result->'metrics',
            'trained_in', 'server', 'corgipile_version', result->'corgipile_version'));
    END IF;

    RETURN QUERY
    SELECT (e->>'epoch')::integer, (e->>'loss')::double precision, (e->>'accuracy')::double precision,
           (e->>'validation_loss')::double precision, (e->>'validation_accuracy')::double precision,
           (e->>'learning_rate')::double precision, (e->>'seconds')::double precision, (e->>'tuples')::bigint,
           e->>'device'
    FROM jsonb_array_elements(result->'epochs') AS e;
END
$fn$;
COMMENT ON FUNCTION corgipile.train(regclass, text, text, text, regclass, jsonb, jsonb)
    IS 'internal: train_sgd''s steps (the engine resolves the arguments; SQL claims, copies, trains, stores)';

-- The signature and defaults of V2 with V6's NULL defaults for block_size and learning_rate (the engine derives
-- them). LANGUAGE sql: the body is one call.
CREATE OR REPLACE FUNCTION train_sgd(
    relation            regclass,
    label               text,
    features            text,
    model               text DEFAULT 'logistic',
    shuffle             text DEFAULT 'corgipile',
    epochs              integer DEFAULT 10,
    learning_rate       double precision DEFAULT NULL,
    batch_size          integer DEFAULT 1,
    l2                  double precision DEFAULT 0,
    block_size          integer DEFAULT NULL,
    buffer_size         double precision DEFAULT NULL,
    model_name          text DEFAULT NULL,
    validation_relation regclass DEFAULT NULL,
    seed                bigint DEFAULT NULL,
    device              text DEFAULT 'cpu',
    options             jsonb DEFAULT '{}')
RETURNS SETOF corgipile.epoch_result
LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $fn$
    SELECT * FROM corgipile.train(relation, label, features, model_name, validation_relation,
        jsonb_build_object('model', model, 'shuffle', shuffle, 'epochs', epochs, 'learning_rate', learning_rate,
                           'batch_size', batch_size, 'l2', l2, 'block_size', block_size,
                           'buffer_size', buffer_size, 'seed', seed, 'device', device),
        options)
$fn$;
COMMENT ON FUNCTION train_sgd(regclass, text, text, text, text, integer, double precision, integer,
                              double precision, integer, double precision, text, regclass, bigint, text, jsonb)
    IS 'Train a model with CorgiPile shuffled SGD on the heap blocks of a table; one row per epoch';
