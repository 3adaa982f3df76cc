-- The models catalog, one of each (issue 16): one writer (corgipile.store_model, called by train_sgd and by the
-- client), one lookup (corgipile.model_id, used by SQL, by the C functions and by the client); kept model versions
-- (an overwrite keeps the replaced version: sgd_model_versions lists them, sgd_restore_model brings one back); the
-- feature names of a model (column lists, or the {"feature_names": [...]} comment `dataset import` writes on an
-- array column) stored with it.

-- ------------------------------------------------------------------------------------------- feature names

ALTER TABLE corgipile.models ADD COLUMN feature_names text[];
COMMENT ON COLUMN corgipile.models.feature_names
    IS 'Name of each feature (element i+1 names feature index i): the columns of a column list, or the feature_names of the features column''s comment';

-- The real names of a model's features, 1-based like SQL arrays (element i+1 names feature index i), or NULL when
-- the data has none: the columns of a column list ('x1, x2'); for one array column, the feature_names of its
-- comment ({"feature_names": [...]}, written by `corgipile dataset import`) when they are as many as the features.
-- Sparse 'indices, values' pairs (the first column is an array) have none.
-- PARALLEL RESTRICTED (and so are its callers): the exception block is a subtransaction, which a parallel worker
-- cannot start.
CREATE FUNCTION corgipile.named_features(source_relation text, features text, dimension integer) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $fn$
DECLARE
    cols  text[] := ARRAY(SELECT btrim(c) FROM unnest(string_to_array(features, ',')) AS c);
    rel   regclass := to_regclass(source_relation);
    first_is_array boolean;
    named jsonb;
BEGIN
    IF cardinality(cols) = 1 THEN
        BEGIN
            SELECT pg_catalog.col_description(rel, a.attnum)::jsonb->'feature_names' INTO named
            FROM pg_catalog.pg_attribute a
            WHERE a.attrelid = rel AND a.attname = cols[1] AND a.attnum > 0 AND NOT a.attisdropped;
        EXCEPTION WHEN invalid_text_representation THEN
            RETURN NULL;  -- a comment that is not JSON is a description, not names
        END;
        IF jsonb_typeof(named) = 'array' AND jsonb_array_length(named) = dimension
           AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements(named) AS e WHERE jsonb_typeof(e) <> 'string') THEN
            RETURN ARRAY(SELECT e FROM jsonb_array_elements_text(named) WITH ORDINALITY AS u(e, i) ORDER BY i);
        END IF;
        RETURN NULL;
    END IF;
    SELECT t.typcategory = 'A' INTO first_is_array
    FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid
    WHERE a.attrelid = rel AND a.attname = cols[1] AND NOT a.attisdropped;
    IF cardinality(cols) = dimension AND NOT coalesce(first_is_array, false) THEN
        RETURN cols;
    END IF;
    RETURN NULL;
END
$fn$;
COMMENT ON FUNCTION corgipile.named_features(text, text, integer)
    IS 'internal: the names of a model''s features from its column list or its array column''s comment, or NULL';

-- Display names of features: the real names (corgipile.named_features), else 'features[1]', 'features[2]', ... for
-- one array column, 'index 0', 'index 1', ... for sparse pairs.
CREATE OR REPLACE FUNCTION corgipile.feature_names(source_relation text, features text, dimension integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $fn$
DECLARE
    cols  text[] := ARRAY(SELECT btrim(c) FROM unnest(string_to_array(features, ',')) AS c);
    named text[] := corgipile.named_features(source_relation, features, dimension);
BEGIN
    IF named IS NOT NULL THEN
        RETURN named;
    END IF;
    IF cardinality(cols) = 1 THEN
        RETURN ARRAY(SELECT cols[1] || '[' || i || ']' FROM generate_series(1, dimension) AS i);
    END IF;
    RETURN ARRAY(SELECT 'index ' || i FROM generate_series(0, dimension - 1) AS i);
END
$fn$;

-- Models stored before this migration get their names now (from their source relation as it is today).
UPDATE corgipile.models m SET feature_names = corgipile.named_features(m.source_relation, m.features_column, m.dimension)
WHERE m.features_column IS NOT NULL;

-- sgd_weights of V4, with the stored names.
-- The weights of a linear model (logistic, svm, linear) or of each class of a softmax model, like BigQuery's
-- ML.WEIGHTS: one row per feature and one '(bias)' row per class. Feature names are the model's stored ones (a
-- column list, or the names `dataset import` kept in the features column's comment) where it has them.
CREATE OR REPLACE FUNCTION sgd_weights(model_name text)
RETURNS TABLE(class integer, feature_index integer, feature text, weight double precision)
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $fn$
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
    names := coalesce(m.feature_names, corgipile.feature_names(m.source_relation, m.features_column, m.dimension));
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

-- --------------------------------------------------------------------------------------------- the lookup

-- The one lookup of a model by name (SQL functions, sgd_predict's C code and the client call it): the id of the
-- model row the caller may read, or undefined_object (row-level security: another role's model does not exist).
CREATE OR REPLACE FUNCTION corgipile.model_id(model_name text) RETURNS bigint
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    mid bigint;
BEGIN
    IF model_name IS NULL THEN
        RAISE EXCEPTION 'model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the name of a trained model: SELECT name FROM corgipile.models.';
    END IF;
    SELECT m.id INTO mid FROM corgipile.models m WHERE m.name = model_name;
    IF mid IS NULL THEN
        RAISE EXCEPTION 'model "%" does not exist', model_name
            USING ERRCODE = 'undefined_object',
                  HINT = 'Trained models are listed in corgipile.models (SELECT name FROM corgipile.models).';
    END IF;
    RETURN mid;
END
$fn$;
COMMENT ON FUNCTION corgipile.model_id(text)
    IS 'internal: the id of the model of this name the caller may read; undefined_object when there is none';

-- The row of a model as JSON (to_jsonb of corgipile.models), found by the one lookup; NULL for a NULL name. What
-- train_sgd hands the engine for warm_start.
CREATE FUNCTION corgipile.model_row(model_name text) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN model_name IS NOT NULL
                THEN (SELECT to_jsonb(m) FROM corgipile.models m WHERE m.id = corgipile.model_id(model_name)) END
$fn$;
COMMENT ON FUNCTION corgipile.model_row(text) IS 'internal: a model''s catalog row as JSON (NULL for a NULL name)';

-- ----------------------------------------------------------------------------------------- kept versions

-- The versions an overwrite replaced, as they were (the current version is the row in corgipile.models). Readable
-- exactly when the current model is (the policy's subquery runs under the caller's row-level security), written by
-- corgipile.store_model only; dropping the model drops its history (the foreign key cascades).
CREATE TABLE corgipile.model_versions (
    LIKE corgipile.models INCLUDING DEFAULTS INCLUDING CONSTRAINTS,
    PRIMARY KEY (name, version),
    FOREIGN KEY (name) REFERENCES corgipile.models (name) ON DELETE CASCADE ON UPDATE CASCADE
);
COMMENT ON TABLE corgipile.model_versions
    IS 'Earlier versions of the models in corgipile.models (an overwrite keeps the version it replaces)';
REVOKE ALL ON corgipile.model_versions FROM PUBLIC;
GRANT SELECT, INSERT ON corgipile.model_versions TO PUBLIC;
ALTER TABLE corgipile.model_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY model_versions_read ON corgipile.model_versions FOR SELECT
    USING (EXISTS (SELECT 1 FROM corgipile.models m WHERE m.name = model_versions.name));
CREATE POLICY model_versions_insert ON corgipile.model_versions FOR INSERT WITH CHECK (corgipile.acts_as(owner));

-- ----------------------------------------------------------------------------------------------- the writer

-- The one writer of the catalog (train_sgd and the client call it, in the caller's transaction): stores model (a
-- JSON object keyed by corgipile.models' columns: model_type, dimension, parameters, feature_mean, feature_std,
-- params, spec, seed, source_relation, label_column, features_column, epoch_log, metrics, trained_in,
-- corgipile_version, feature_names) under model_name and returns its version. The name is claimed
-- (corgipile.model_write_owner: a lock until the end of the transaction, duplicate_object without overwrite,
-- insufficient_privilege for another role's model); an overwrite keeps the replaced version in
-- corgipile.model_versions and updates the row in place with a new id (a cached model of the old id is never
-- served again), so grants stay and the history follows the name. The owner and readers are the catalog's to set,
-- not the caller's; feature names are derived from the source relation when absent.
CREATE FUNCTION corgipile.store_model(model_name text, overwrite boolean, model jsonb) RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    w   record;
    old corgipile.models;
    r   corgipile.models;
    missing text[];
BEGIN
    IF model_name IS NULL OR overwrite IS NULL OR model IS NULL THEN
        RAISE EXCEPTION 'model_name, overwrite and model must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example corgipile.store_model(''my_model'', false, ''{"model_type": "linear", ...}'').';
    END IF;
    IF length(model_name) NOT BETWEEN 1 AND 200 THEN
        RAISE EXCEPTION 'model_name must have 1 to 200 characters, got %', length(model_name)
            USING ERRCODE = 'invalid_parameter_value', HINT = 'Choose a shorter (or a non-empty) model_name.';
    END IF;
    IF jsonb_typeof(model) <> 'object' THEN
        RAISE EXCEPTION 'model must be a JSON object keyed by corgipile.models columns, got %', jsonb_typeof(model)
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'For example ''{"model_type": "linear", "dimension": 1, "parameters": [0.5, 0], "spec": {}, "corgipile_version": "0.2.0"}''.';
    END IF;
    missing := ARRAY(SELECT k FROM unnest(ARRAY['model_type', 'dimension', 'parameters', 'spec',
                                                'corgipile_version']) AS k
                     WHERE coalesce(jsonb_typeof(model->k), 'null') = 'null');
    IF cardinality(missing) > 0 THEN
        RAISE EXCEPTION 'model lacks %', array_to_string(missing, ', ') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'A model needs model_type, dimension, parameters, spec and corgipile_version.';
    END IF;
    BEGIN
        r := jsonb_populate_record(NULL::corgipile.models, model);
    EXCEPTION WHEN invalid_text_representation OR invalid_parameter_value OR datatype_mismatch
                   OR numeric_value_out_of_range THEN
        RAISE EXCEPTION 'model has a field of the wrong type: %', SQLERRM USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Fields have the types of corgipile.models'' columns: parameters is an array of numbers, dimension an integer, spec an object.';
    END;
    IF r.model_type NOT IN ('logistic', 'svm', 'linear', 'softmax', 'mlp') OR r.dimension < 1 THEN
        RAISE EXCEPTION 'model_type must be logistic, svm, linear, softmax or mlp and dimension at least 1, got % and %',
            r.model_type, r.dimension USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Store what the engine trained: its type and number of features.';
    END IF;

    SELECT * INTO w FROM corgipile.model_write_owner(model_name, overwrite);
    SELECT * INTO old FROM corgipile.models m WHERE m.name = model_name;
    r.feature_names := coalesce(r.feature_names,
                                corgipile.named_features(r.source_relation, r.features_column, r.dimension));
    IF old.id IS NULL THEN
        BEGIN
            INSERT INTO corgipile.models (name, model_type, dimension, parameters, feature_mean, feature_std, params,
                                          spec, seed, source_relation, label_column, features_column, epoch_log,
                                          metrics, trained_in, version, corgipile_version, owner, readers,
                                          feature_names)
            VALUES (model_name, r.model_type, r.dimension, r.parameters, r.feature_mean, r.feature_std,
                    coalesce(r.params, '{}'), r.spec, r.seed, r.source_relation, r.label_column, r.features_column,
                    coalesce(r.epoch_log, '[]'), coalesce(r.metrics, '{}'), coalesce(r.trained_in, 'server'), 1,
                    r.corgipile_version, w.owner, w.readers, r.feature_names);
        EXCEPTION WHEN unique_violation THEN
            -- Only under REPEATABLE READ or SERIALIZABLE: the claim's snapshot predates a concurrent training's
            -- commit of the same name.
            RAISE EXCEPTION 'model "%" already exists', model_name
                USING ERRCODE = 'duplicate_object',
                      HINT = 'Another transaction stored a model of this name while this one trained.';
        END;
        RETURN 1;
    END IF;
    BEGIN
        INSERT INTO corgipile.model_versions
        SELECT * FROM jsonb_populate_record(NULL::corgipile.model_versions, to_jsonb(old));
    EXCEPTION WHEN unique_violation THEN
        -- Only under REPEATABLE READ or SERIALIZABLE: the claim's snapshot predates a concurrent replacement of
        -- this model, which already kept the version this transaction sees as current.
        RAISE EXCEPTION 'model "%" was replaced by another transaction while this one trained', model_name
            USING ERRCODE = 'serialization_failure', HINT = 'Retry the transaction.';
    END;
    UPDATE corgipile.models m
    SET (id, model_type, dimension, parameters, feature_mean, feature_std, params, spec, seed, source_relation,
         label_column, features_column, epoch_log, metrics, trained_in, version, corgipile_version, created_at,
         feature_names)
      = (DEFAULT, r.model_type, r.dimension, r.parameters, r.feature_mean, r.feature_std, coalesce(r.params, '{}'),
         r.spec, r.seed, r.source_relation, r.label_column, r.features_column, coalesce(r.epoch_log, '[]'),
         coalesce(r.metrics, '{}'), coalesce(r.trained_in, 'server'), old.version + 1, r.corgipile_version, now(),
         r.feature_names)
    WHERE m.id = old.id;
    RETURN old.version + 1;
END
$fn$;
COMMENT ON FUNCTION corgipile.store_model(text, boolean, jsonb)
    IS 'internal: store a trained model (JSON keyed by corgipile.models columns) under a name; returns its version';

-- --------------------------------------------------------------------------------------- version management

-- The versions of a model, newest first: the current one (current = true) and those an overwrite kept.
CREATE FUNCTION sgd_model_versions(model_name text)
RETURNS TABLE(version integer, current boolean, model_type text, dimension integer, trained_in text,
              source_relation text, loss double precision, created_at timestamptz)
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
#variable_conflict use_column
DECLARE
    mid bigint := corgipile.model_id(model_name);
BEGIN
    RETURN QUERY
    SELECT v.version, v.current, v.model_type, v.dimension, v.trained_in, v.source_relation,
           (v.metrics->>'loss')::double precision, v.created_at
    FROM (SELECT m.version, true AS current, m.model_type, m.dimension, m.trained_in, m.source_relation, m.metrics,
                 m.created_at
          FROM corgipile.models m WHERE m.id = mid
          UNION ALL
          SELECT k.version, false, k.model_type, k.dimension, k.trained_in, k.source_relation, k.metrics, k.created_at
          FROM corgipile.model_versions k WHERE k.name = sgd_model_versions.model_name) v
    ORDER BY v.version DESC;
END
$fn$;
COMMENT ON FUNCTION sgd_model_versions(text)
    IS 'Versions of a model, newest first: the current one and those kept by overwrites';

-- Makes a kept version current again, as a new version (the history stays linear: nothing is lost, restoring
-- the restore undoes it). Owner only.
CREATE FUNCTION sgd_restore_model(model_name text, version integer) RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    mid     bigint;
    current integer;
    kept    jsonb;
BEGIN
    IF version IS NULL THEN
        RAISE EXCEPTION 'version must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'List the versions with sgd_model_versions(model_name).';
    END IF;
    mid := corgipile.owned_model_id(model_name);
    SELECT m.version INTO current FROM corgipile.models m WHERE m.id = mid;
    IF version = current THEN
        RETURN current;
    END IF;
    SELECT to_jsonb(k) - 'id' - 'name' - 'version' - 'owner' - 'readers' - 'created_at' INTO kept
    FROM corgipile.model_versions k WHERE k.name = model_name AND k.version = version;
    IF kept IS NULL THEN
        RAISE EXCEPTION 'model "%" has no version %', model_name, version
            USING ERRCODE = 'undefined_object',
                  HINT = format('List the versions with sgd_model_versions(%L).', model_name);
    END IF;
    RETURN corgipile.store_model(model_name, true, kept);
END
$fn$;
COMMENT ON FUNCTION sgd_restore_model(text, integer)
    IS 'Make a kept version of a model current again (as a new version); returns the new version';

-- train_sgd stores its model through corgipile.store_model: see corgipile.train in V7.
