-- corgipile 0.2.0, one migration: every SQL object 0.2.0 adds to 0.1.0 (V1, V2), each defined once, in its final
-- form. Until 0.2.0 is released this file is edited in place (docs/in-database.md, "Adding a migration"); the
-- functions of V2 that 0.2.0 changes (train_sgd, sgd_evaluate, corgipile.scan_stats, corgipile.model_id) are
-- replaced here with CREATE OR REPLACE (which keeps their V2 comments).
--
-- Applied by Flyway after V2, and part of the extension's install script (0.2.0) and of its update script
-- corgipile--0.1.0--0.2.0.sql (pljava-ext/Makefile), so an updated database keeps its models: rows trained before
-- the update belong to the role that ran the update (ALTER EXTENSION runs as a superuser); reassign them with
-- UPDATE corgipile.models SET owner = 'role' WHERE ...
--
-- Sections: owners and row-level security (every model has an owner; other roles see, replace or delete it only
-- when granted: sgd_grant_model); model names (claimed before training, so two concurrent trainings of one name
-- cannot both store it); the catalog's one lookup and one writer, kept model versions and feature names;
-- introspection (progress, training info, weights, feature statistics); evaluation and model management;
-- partitioned tables on one server and across several (scale-out); training (train_sgd, a thin wrapper).

-- ------------------------------------------------------------------------------------------------- owners

ALTER TABLE corgipile.models
    ADD COLUMN owner   name   NOT NULL DEFAULT current_user,
    ADD COLUMN readers name[] NOT NULL DEFAULT '{}',
    ADD COLUMN feature_names text[];
COMMENT ON COLUMN corgipile.models.owner IS 'Role that owns the model: only its members (or a superuser) replace, delete or grant it';
COMMENT ON COLUMN corgipile.models.readers IS 'Roles the owner granted the model to (sgd_grant_model); public: every role';
COMMENT ON COLUMN corgipile.models.feature_names
    IS 'Name of each feature (element i+1 names feature index i): the columns of a column list, or the feature_names of the features column''s comment';

-- True when the current role has the privileges of role (is it, or a member that inherits it), or is a superuser.
-- A role that no longer exists (dropped after training) is nobody's: only superusers act for it.
CREATE FUNCTION corgipile.acts_as(role name) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r
                   WHERE r.rolname = role AND pg_catalog.pg_has_role(r.oid, 'USAGE'))
        OR EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = current_user AND r.rolsuper)
$fn$;
COMMENT ON FUNCTION corgipile.acts_as(name)
    IS 'Whether the current role has the privileges of the given role (membership with inherit, or superuser)';

-- True when the current role may use (read, predict with, evaluate) a model of this owner and readers.
CREATE FUNCTION corgipile.can_read_model(owner name, readers name[]) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SET search_path = pg_catalog, pg_temp AS $fn$
    SELECT corgipile.acts_as(owner) OR 'public' = ANY (readers)
        OR EXISTS (SELECT 1 FROM unnest(readers) AS g(role) WHERE corgipile.acts_as(g.role))
$fn$;
COMMENT ON FUNCTION corgipile.can_read_model(name, name[])
    IS 'Whether the current role may read a model with this owner and these readers';

-- The catalog was open to every role (SELECT, INSERT, DELETE by PUBLIC). Now every role may still train and store
-- its own models (train_sgd and the client write as the caller), but row-level security shows a role only the
-- models it owns or was granted, and lets only the owner update or delete them. The table's owner (the role that
-- created the extension or ran the migrations) and superusers bypass it, as for every table.
REVOKE ALL ON corgipile.models FROM PUBLIC;
GRANT SELECT, INSERT, UPDATE, DELETE ON corgipile.models TO PUBLIC;
ALTER TABLE corgipile.models ENABLE ROW LEVEL SECURITY;
CREATE POLICY models_read ON corgipile.models FOR SELECT USING (corgipile.can_read_model(owner, readers));
CREATE POLICY models_insert ON corgipile.models FOR INSERT WITH CHECK (corgipile.acts_as(owner));
CREATE POLICY models_update ON corgipile.models FOR UPDATE
    USING (corgipile.acts_as(owner)) WITH CHECK (corgipile.acts_as(owner));
CREATE POLICY models_delete ON corgipile.models FOR DELETE USING (corgipile.acts_as(owner));

-- ------------------------------------------------------------------------------------------- model names

-- Claims a model name for the rest of the transaction before training: an advisory transaction lock on the name
-- (two trainings of one name queue here instead of both training and the later one replacing the earlier), then
-- whether a model of that name exists, whoever owns it (SECURITY DEFINER: the caller may not see the row; the
-- answer reveals no more than the unique constraint would). Read-only transactions are refused here, before
-- training, instead of at the final write.
CREATE FUNCTION corgipile.claim_model_name(model_name text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
    IF current_setting('transaction_read_only')::boolean THEN
        RAISE EXCEPTION 'cannot store model "%" in a read-only transaction', model_name
            USING ERRCODE = 'read_only_sql_transaction',
                  HINT = 'Train in a read-write transaction, or omit model_name to train without storing the model.';
    END IF;
    PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('corgipile.models'), pg_catalog.hashtext(model_name));
    RETURN EXISTS (SELECT 1 FROM corgipile.models m WHERE m.name = model_name);
END
$fn$;
COMMENT ON FUNCTION corgipile.claim_model_name(text)
    IS 'internal: lock a model name until the end of the transaction; true when a model of that name exists';

-- The owner and readers a new model row of this name takes: those of the model it replaces (the caller must act
-- as its owner), or the caller and nobody for a new name. Raises duplicate_object / insufficient_privilege.
CREATE FUNCTION corgipile.model_write_owner(model_name text, overwrite boolean, OUT owner name, OUT readers name[])
LANGUAGE plpgsql VOLATILE AS $fn$
BEGIN
    IF NOT corgipile.claim_model_name(model_name) THEN
        owner := current_user;
        readers := '{}';
        RETURN;
    END IF;
    IF NOT overwrite THEN
        RAISE EXCEPTION 'model "%" already exists', model_name
            USING ERRCODE = 'duplicate_object',
                  HINT = 'Choose another model_name, or pass options => ''{"overwrite": true}'' to replace it.';
    END IF;
    SELECT m.owner, m.readers INTO owner, readers
    FROM corgipile.models m WHERE m.name = model_name AND corgipile.acts_as(m.owner);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'must be owner of model "%" to replace it', model_name
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only the owner of a model (or a superuser) can replace it; choose another model_name.';
    END IF;
END
$fn$;
COMMENT ON FUNCTION corgipile.model_write_owner(text, boolean)
    IS 'internal: claim a model name before training; the owner and readers the stored row takes';

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

-- ------------------------------------------------------------------------------------------------ grants

-- Looks up a model the current role owns, or raises undefined_object (invisible) / insufficient_privilege.
CREATE FUNCTION corgipile.owned_model_id(model_name text) RETURNS bigint
LANGUAGE plpgsql STABLE AS $fn$
DECLARE
    mid bigint := corgipile.model_id(model_name);
BEGIN
    IF NOT EXISTS (SELECT 1 FROM corgipile.models m WHERE m.id = mid AND corgipile.acts_as(m.owner)) THEN
        RAISE EXCEPTION 'must be owner of model "%"', model_name
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Only the owner of a model (or a superuser) can grant, revoke, replace or delete it.';
    END IF;
    RETURN mid;
END
$fn$;

-- A grantee: an existing role, or public (every role).
CREATE FUNCTION corgipile.grantee(role name) RETURNS name
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    IF role IS NULL THEN
        RAISE EXCEPTION 'role must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF lower(role) = 'public' THEN
        RETURN 'public';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = role) THEN
        RAISE EXCEPTION 'role "%" does not exist', role
            USING ERRCODE = 'undefined_object', HINT = 'Pass a role name as in pg_roles, or public for every role.';
    END IF;
    RETURN role;
END
$fn$;

CREATE FUNCTION sgd_grant_model(model_name text, role name) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_variable
DECLARE
    mid     bigint := corgipile.owned_model_id(model_name);
    grantee name := corgipile.grantee(role);
BEGIN
    UPDATE corgipile.models m SET readers = array_append(m.readers, grantee)
    WHERE m.id = mid AND NOT grantee = ANY (m.readers);
END
$fn$;
COMMENT ON FUNCTION sgd_grant_model(text, name)
    IS 'Let a role (or public) read a model: its parameters and statistics, sgd_predict, sgd_evaluate (owner only)';

CREATE FUNCTION sgd_revoke_model(model_name text, role name) RETURNS void
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_variable
DECLARE
    mid     bigint := corgipile.owned_model_id(model_name);
    grantee name := corgipile.grantee(role);
BEGIN
    UPDATE corgipile.models m SET readers = array_remove(m.readers, grantee) WHERE m.id = mid;
END
$fn$;
COMMENT ON FUNCTION sgd_revoke_model(text, name) IS 'Take back a grant of sgd_grant_model (owner only)';

-- ------------------------------------------------------------------------------------------- feature names

-- The column names of a features argument ('features', 'x1, x2' or 'indices, values'), in order: the one parser of
-- that argument in SQL, with the rules of Java's FeaturesArgument.names (and the C reader's): split at every comma,
-- trim spaces and tabs, no empty name (22023; NULL: no names). corgipile.feature_kinds checks what it names.
CREATE FUNCTION corgipile.feature_columns(features text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    cols text[] := ARRAY(SELECT btrim(c, E' \t') FROM unnest(string_to_array(features, ',')) WITH ORDINALITY AS u(c, o)
                         ORDER BY o);
BEGIN
    IF features IS NOT NULL AND (cardinality(cols) = 0 OR '' = ANY (cols)) THEN
        RAISE EXCEPTION 'features must name one array column or a comma-separated list of columns, got "%"',
            features USING ERRCODE = 'invalid_parameter_value', HINT = 'For example ''features'' or ''x1, x2''.';
    END IF;
    RETURN cols;
END
$fn$;
COMMENT ON FUNCTION corgipile.feature_columns(text) IS 'internal: the column names of a features argument';

-- The real names of a model's features, 1-based like SQL arrays (element i+1 names feature index i), or NULL when
-- the data has none: the columns of a column list ('x1, x2'); for one array column, the feature_names of its
-- comment ({"feature_names": [...]}, written by `corgipile dataset import`) when they are as many as the features.
-- Sparse 'indices, values' pairs (the first column is an array) have none.
-- PARALLEL RESTRICTED (and so are its callers): the exception block is a subtransaction, which a parallel worker
-- cannot start.
CREATE FUNCTION corgipile.named_features(source_relation text, features text, dimension integer) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $fn$
DECLARE
    cols  text[] := corgipile.feature_columns(features);
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
CREATE FUNCTION corgipile.feature_names(source_relation text, features text, dimension integer)
RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL RESTRICTED AS $fn$
DECLARE
    cols  text[] := corgipile.feature_columns(features);
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
COMMENT ON FUNCTION corgipile.feature_names(text, text, integer)
    IS 'internal: display names of a model''s features from its features argument';

-- Models stored before this migration get their names now (from their source relation as it is today).
UPDATE corgipile.models m SET feature_names = corgipile.named_features(m.source_relation, m.features_column, m.dimension)
WHERE m.features_column IS NOT NULL;

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
-- Deleting kept versions (sgd_drop_model_versions) is for the current model's owner, whoever owned the version.
GRANT DELETE ON corgipile.model_versions TO PUBLIC;
CREATE POLICY model_versions_delete ON corgipile.model_versions FOR DELETE
    USING (EXISTS (SELECT 1 FROM corgipile.models m
                   WHERE m.name = model_versions.name AND corgipile.acts_as(m.owner)));

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
    classes  numeric;
    hidden   jsonb;
    widths   bigint[];
    expected numeric;
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
    -- The parameters fit the type and dimension (TrainedModel.restore's layout), so a stored model predicts or
    -- fails when it is stored: the plain-SQL predictions would read a prefix of too many parameters.
    classes := CASE WHEN jsonb_typeof(r.params->'classes') = 'number' THEN (r.params->>'classes')::numeric END;
    IF r.model_type IN ('softmax', 'mlp') AND (classes IS NULL OR classes < 2 OR classes <> trunc(classes)) THEN
        RAISE EXCEPTION 'a % model needs params.classes, an integer of at least 2, got %', r.model_type,
            coalesce(r.params->>'classes', 'none') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Store the params the engine returned with the model (classes, hidden, label_encoding).';
    END IF;
    hidden := CASE jsonb_typeof(r.params->'hidden') WHEN 'number' THEN jsonb_build_array(r.params->'hidden')
                                                     ELSE r.params->'hidden' END;   -- [64] or 64, as training
    IF r.model_type = 'mlp' AND (jsonb_typeof(hidden) IS DISTINCT FROM 'array'
            OR jsonb_array_length(hidden) NOT BETWEEN 1 AND 2
            OR EXISTS (SELECT FROM jsonb_array_elements(hidden) h
                       WHERE jsonb_typeof(h) <> 'number' OR (h #>> '{}')::numeric < 1
                             OR (h #>> '{}')::numeric <> trunc((h #>> '{}')::numeric))) THEN
        RAISE EXCEPTION 'an mlp model needs params.hidden, 1 or 2 layer widths, got %',
            coalesce(r.params->>'hidden', 'none') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Store the params the engine returned with the model (classes, hidden, label_encoding).';
    END IF;
    widths := CASE r.model_type
        WHEN 'mlp' THEN ARRAY[r.dimension::bigint]
                        || ARRAY(SELECT (h #>> '{}')::bigint FROM jsonb_array_elements(hidden) h)
                        || CASE WHEN classes = 2 THEN 1 ELSE classes::bigint END
        WHEN 'softmax' THEN ARRAY[r.dimension::bigint, classes::bigint]
        ELSE ARRAY[r.dimension::bigint, 1] END;   -- layer widths: weights and a bias per output of each layer
    expected := (SELECT sum(widths[l] * widths[l - 1] + widths[l]) FROM generate_series(2, cardinality(widths)) l);
    IF coalesce(cardinality(r.parameters), 0) <> expected THEN
        RAISE EXCEPTION 'a % model of dimension % has % parameters, got %', r.model_type, r.dimension, expected,
            coalesce(cardinality(r.parameters), 0) USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Store the parameters the engine trained, with the dimension and params it trained them for.';
    END IF;
    IF (r.feature_mean IS NULL) <> (r.feature_std IS NULL)
            OR coalesce(cardinality(r.feature_mean), r.dimension) <> r.dimension
            OR coalesce(cardinality(r.feature_std), r.dimension) <> r.dimension THEN
        RAISE EXCEPTION 'feature_mean and feature_std must both be NULL or both have % values, got % and %',
            r.dimension, coalesce(cardinality(r.feature_mean)::text, 'NULL'),
            coalesce(cardinality(r.feature_std)::text, 'NULL') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'They are the standardisation of each feature, or NULL without standardize.';
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

-- Drops the kept versions of a model but the newest `keep` (0: all of them); the current version is never touched.
-- Owner only (as sgd_restore_model); returns how many versions were dropped. Without it every overwrite of a
-- nightly retrain keeps a version forever.
CREATE FUNCTION sgd_drop_model_versions(model_name text, keep integer DEFAULT 0) RETURNS integer
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    dropped integer;
BEGIN
    IF keep IS NULL THEN
        RAISE EXCEPTION 'keep must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass how many of the newest kept versions to keep: 0 drops them all.';
    END IF;
    IF keep < 0 THEN
        RAISE EXCEPTION 'keep must be 0 or more, got %', keep USING ERRCODE = 'invalid_parameter_value',
            HINT = 'Pass how many of the newest kept versions to keep: 0 drops them all.';
    END IF;
    PERFORM corgipile.owned_model_id(model_name);
    DELETE FROM corgipile.model_versions k
    WHERE k.name = model_name
      AND k.version NOT IN (SELECT n.version FROM corgipile.model_versions n WHERE n.name = model_name
                            ORDER BY n.version DESC LIMIT keep);
    GET DIAGNOSTICS dropped = ROW_COUNT;
    RETURN dropped;
END
$fn$;
COMMENT ON FUNCTION sgd_drop_model_versions(text, integer)
    IS 'Drop the kept versions of a model but the newest keep (the current version stays); returns how many were dropped';

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
WHERE p.j IS NOT NULL AND a.state = 'active';  -- not the text a failed training left in an idle session
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
    WHERE corgipile.activity_json(a.query)->>'model_name' = sgd_training_info.model_name AND a.state = 'active'
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

-- The weights of a linear model (logistic, svm, linear) or of each class of a softmax model, like BigQuery's
-- ML.WEIGHTS: one row per feature and one '(bias)' row per class. Feature names are the model's stored ones (a
-- column list, or the names `dataset import` kept in the features column's comment) where it has them.
CREATE FUNCTION sgd_weights(model_name text)
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
    sel   text := '';
    n     integer := 0;
BEGIN
    IF relation IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation and features must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example sgd_feature_info(''my_table'', ''features'').';
    END IF;
    kinds := corgipile.feature_kinds(relation, features);
    cols := corgipile.feature_columns(features);
    IF 'array' = ANY (kinds) AND cardinality(cols) > 1 THEN
        RAISE EXCEPTION 'sgd_feature_info takes one array column or a list of numeric columns, not sparse '
            '''indices, values'' pairs' USING ERRCODE = 'feature_not_supported',
            HINT = 'Statistics of sparse features: unnest the values in SQL.';
    END IF;
    IF kinds[1] = 'array' THEN
        -- a multi-dimensional array is train_sgd's error too (the reader's 2202E), not a flattened vector
        RETURN QUERY EXECUTE format(
            'SELECT (u.i - 1)::integer, %L || ''['' || u.i || '']'', min(u.v), max(u.v), avg(u.v), '
            '       stddev_samp(u.v), (SELECT count(*) FROM %s) - count(u.v) '
            'FROM %s AS r, unnest(CASE WHEN array_ndims(r.%I) > 1 THEN corgipile.raise_server_error('
            '    format(''features %%s are a %%s-dimensional array in a row of %%s; expected one dimension'', '
            '           %L, array_ndims(r.%I), %L), ''2202E'', NULL, NULL)::text::float8[] '
            '    ELSE r.%I::float8[] END) WITH ORDINALITY AS u(v, i) GROUP BY u.i ORDER BY u.i',
            cols[1], relation, relation, cols[1], cols[1], cols[1], relation::text, cols[1]);
        RETURN;
    END IF;
    FOREACH col IN ARRAY cols LOOP
        sel := sel || CASE WHEN n > 0 THEN ', ' ELSE '' END
                   || format('(%s, %L, corgipile.as_float8(r.%I))', n, col, col);
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

-- ------------------------------------------------------------------------------------------- evaluation helpers

-- A type with its domains stripped, as the heap reader sees a column (getBaseType).
CREATE FUNCTION corgipile.base_type(type oid) RETURNS oid
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
    WITH RECURSIVE d(t, base) AS (
        SELECT oid, typbasetype FROM pg_type WHERE oid = type
        UNION ALL
        SELECT p.oid, p.typbasetype FROM d JOIN pg_type p ON p.oid = d.base WHERE d.base <> 0)
    SELECT t FROM d WHERE base = 0
$fn$;
COMMENT ON FUNCTION corgipile.base_type(oid) IS 'internal: a type without its domains, as the heap reader sees it';

-- A column of relation as the heap reader takes it, domains stripped: 'array' (a 1-D array of smallint .. numeric),
-- 'scalar' (a number or a boolean), the type's name for any other type, NULL when there is no such column. The one
-- place of the reader's types in SQL (corgipile.feature_kinds, corgipile.label_expr).
CREATE FUNCTION corgipile.column_kind(relation regclass, col text) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN t.typelem <> 0 AND t.typcategory = 'A' AND corgipile.base_type(t.typelem)
                         = ANY ('{int2,int4,int8,float4,float8,numeric}'::regtype[]) THEN 'array'
                WHEN t.oid = ANY ('{int2,int4,int8,float4,float8,numeric,bool}'::regtype[]) THEN 'scalar'
                ELSE format_type(a.atttypid, a.atttypmod) END
    FROM pg_attribute a JOIN pg_type t ON t.oid = corgipile.base_type(a.atttypid)
    WHERE a.attrelid = relation AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped
$fn$;
COMMENT ON FUNCTION corgipile.column_kind(regclass, text)
    IS 'internal: array, scalar or the type name of a column as the heap reader takes it (NULL: no such column)';

-- The feature columns of relation stored as numeric or numeric[] (domains stripped), in their order: the heap reader
-- converts each of their values to float8 in every epoch with PostgreSQL's numeric_float8, which goes through the
-- value's text form (docs/in-database.md, Performance: ~15x the epoch of float8[] at 28 features). train_sgd names
-- them in a NOTICE.
CREATE FUNCTION corgipile.numeric_feature_columns(relation regclass, features text) RETURNS text[]
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT coalesce(array_agg(u.c ORDER BY u.o), '{}')
    FROM unnest(corgipile.feature_columns(features)) WITH ORDINALITY AS u(c, o)
    JOIN pg_attribute a ON a.attrelid = relation AND a.attname = u.c AND a.attnum > 0 AND NOT a.attisdropped
    JOIN pg_type t ON t.oid = corgipile.base_type(a.atttypid)
    WHERE corgipile.base_type(CASE WHEN t.typcategory = 'A' THEN t.typelem ELSE t.oid END) = 'numeric'::regtype
$fn$;
COMMENT ON FUNCTION corgipile.numeric_feature_columns(regclass, text)
    IS 'internal: the numeric and numeric[] columns of a features argument (converted value by value every epoch)';

-- The columns of a features argument of relation (corgipile.column_kind), in their order. A malformed list is
-- 22023, a missing column 42703, any other type or an array in a list other than an 'indices, values' pair 42804:
-- the one check of every SQL function over train_sgd's features.
CREATE FUNCTION corgipile.feature_kinds(relation regclass, features text) RETURNS text[]
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    cols  text[] := corgipile.feature_columns(coalesce(features, ''));  -- a malformed list (NULL too) is 22023
    col   text;
    kind  text;
    kinds text[] := '{}';
BEGIN
    FOREACH col IN ARRAY cols LOOP
        kind := corgipile.column_kind(relation, col);
        IF kind IS NULL THEN
            RAISE EXCEPTION 'features column "%" of relation "%" does not exist', col,
                (SELECT c.relname FROM pg_class c WHERE c.oid = relation)
                USING ERRCODE = 'undefined_column',
                      HINT = 'Name a column as \d lists it (names are not case-folded here).';
        END IF;
        IF kind NOT IN ('array', 'scalar') THEN
            RAISE EXCEPTION 'feature column "%" has type %, not a number or an array of numbers', col, kind
                USING ERRCODE = 'datatype_mismatch',
                      HINT = 'Features are smallint, integer, bigint, real, double precision, numeric or boolean '
                             'columns, or one array of numbers.';
        END IF;
        kinds := kinds || kind;
    END LOOP;
    -- the reader's shapes: one array, numbers and booleans, or an 'indices, values' pair of arrays
    IF 'array' = ANY (kinds) AND cardinality(kinds) > 1 AND kinds <> '{array,array}' THEN
        RAISE EXCEPTION 'features "%" of relation "%" are not a supported feature type', features,
            (SELECT c.relname FROM pg_class c WHERE c.oid = relation)
            USING ERRCODE = 'datatype_mismatch',
                  HINT = 'Use one float8[], real[], integer[], bigint[], smallint[] or numeric[] column; a '
                         'comma-separated list of numeric columns; or "indices, values" with an integer[] and a '
                         'float8[] column for sparse features.';
    END IF;
    RETURN kinds;
END
$fn$;
COMMENT ON FUNCTION corgipile.feature_kinds(regclass, text)
    IS 'internal: the kinds (array, scalar) of the columns of a features argument; the heap reader''s type checks';

-- A tuple as the heap reader's row errors name it: tuple (0,3) of relation "t", or of the partition or child of
-- relation that holds it (holder, its tableoid): tuple (0,3) of relation "t_2" (part of "t").
CREATE FUNCTION corgipile.tuple_name(relation regclass, holder regclass, tuple tid) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT format('tuple %s of relation "%s"', tuple, (SELECT c.relname FROM pg_class c WHERE c.oid = holder))
        || CASE WHEN holder <> relation
                THEN format(' (part of "%s")', (SELECT c.relname FROM pg_class c WHERE c.oid = relation)) ELSE '' END
$fn$;
COMMENT ON FUNCTION corgipile.tuple_name(regclass, regclass, tid)
    IS 'internal: a tuple as row errors name it, with its relation (and the partition or child holding it)';

-- Training's 22003 for a numeric beyond double precision in column col (the label or a feature column) of a tuple,
-- in the heap reader's words; typed to stand in the CASE of corgipile.float8_expr, which calls it for such a value.
CREATE FUNCTION corgipile.beyond_double_precision(relation regclass, holder regclass, tuple tid, col text,
                                                  is_label boolean) RETURNS double precision
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $fn$
BEGIN
    RAISE EXCEPTION '% "%" of % % a numeric beyond the range of double precision',
        CASE WHEN is_label THEN 'label' ELSE 'features' END, col, corgipile.tuple_name(relation, holder, tuple),
        CASE WHEN is_label THEN 'is' ELSE 'contain' END
        USING ERRCODE = 'numeric_value_out_of_range',
              HINT = 'Double precision holds magnitudes up to about 1e308: rescale those values first, e.g. into a '
                     'new table.';
END
$fn$;
COMMENT ON FUNCTION corgipile.beyond_double_precision(regclass, regclass, tid, text, boolean)
    IS 'internal: training''s error for a numeric beyond double precision, naming its column and tuple';

-- The SQL expression of column col of relation (a number, a boolean or an array of numbers) as float8 or float8[],
-- as the heap reader converts it, in a query over relation (its ctid and tableoid): a cast, a boolean 0/1
-- (corgipile.as_float8), a numeric as strtod gives it. Numeric's cast fails with a bare 22003 (no column, no row)
-- where strtod gives 0 (|v| <= 2^-1075) or overflows (|v| >= 2^1024 - 2^970, half an ulp above DBL_MAX): below, 0;
-- beyond, training's 22003 naming the tuple (corgipile.beyond_double_precision); NaN and +-Infinity pass to the
-- caller's check. The usual numeric takes two comparisons; an array of numerics a subquery per row.
CREATE FUNCTION corgipile.float8_expr(relation regclass, col text, is_label boolean) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    t oid := (SELECT corgipile.base_type(a.atttypid) FROM pg_attribute a
              WHERE a.attrelid = relation AND a.attname = col AND a.attnum > 0 AND NOT a.attisdropped);
    e oid := corgipile.base_type(nullif((SELECT y.typelem FROM pg_type y WHERE y.oid = t AND y.typcategory = 'A'), 0));
    x text;
BEGIN
    IF coalesce(e, t) <> 'numeric'::regtype THEN
        RETURN format(CASE WHEN e IS NULL THEN 'corgipile.as_float8(%I)' ELSE '%I::float8[]' END, col);
    END IF;
    x := format('CASE WHEN abs(%1$s) < %2$s AND abs(%1$s) >= 1e-300 THEN %1$s::float8 '
                'WHEN abs(%1$s) * 2::numeric ^ 1075 <= 1 THEN 0::float8 '
                'WHEN abs(%1$s) < %2$s OR abs(%1$s) >= ''Infinity'' THEN %1$s::float8 '
                'ELSE corgipile.beyond_double_precision(%3$L, tableoid, ctid, %4$L, %5$L) END',
                CASE WHEN e IS NULL THEN quote_ident(col) ELSE 'corgipile_v.v' END,
                '(2::numeric ^ 1024 - 2::numeric ^ 970)', relation::oid, col, is_label);
    IF e IS NULL THEN
        RETURN x;
    END IF;
    -- element by element, in order; an array of more dimensions is cast, for sgd_predict's error
    RETURN format('CASE WHEN array_ndims(%1$I) > 1 THEN %1$I::float8[] WHEN %1$I IS NOT NULL THEN ARRAY(SELECT %2$s '
                  'FROM unnest(%1$I) WITH ORDINALITY AS corgipile_v(v, i) ORDER BY corgipile_v.i) END', col, x);
END
$fn$;
COMMENT ON FUNCTION corgipile.float8_expr(regclass, text, boolean)
    IS 'internal: SQL expression of a column as float8 or float8[] as the heap reader converts it';

-- The SQL expression of relation's label column as float8, with the heap reader's checks (42703, 42804): a scalar.
CREATE FUNCTION corgipile.label_expr(relation regclass, label text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    kind text := corgipile.column_kind(relation, label);
BEGIN
    IF kind IS NULL THEN
        RAISE EXCEPTION 'label column "%" of relation "%" does not exist', label,
            (SELECT c.relname FROM pg_class c WHERE c.oid = relation)
            USING ERRCODE = 'undefined_column', HINT = 'Name a column as \d lists it (names are not case-folded here).';
    END IF;
    IF kind <> 'scalar' THEN
        RAISE EXCEPTION 'label column "%" of relation "%" has type %', label,
            (SELECT c.relname FROM pg_class c WHERE c.oid = relation),
            format_type((SELECT a.atttypid FROM pg_attribute a WHERE a.attrelid = relation AND a.attname = label),
                        NULL)
            USING ERRCODE = 'datatype_mismatch',
                  HINT = 'The label must be smallint, integer, bigint, real, double precision, numeric or boolean.';
    END IF;
    RETURN corgipile.float8_expr(relation, label, true);
END
$fn$;
COMMENT ON FUNCTION corgipile.label_expr(regclass, text)
    IS 'internal: SQL expression of a label column as float8, with the heap reader''s checks';

-- A label or scalar feature value as the heap reader converts it (numeric types as float8, a boolean as 0/1):
-- the cast of every SQL expression over train_sgd's columns (boolean has no cast to float8).
CREATE FUNCTION corgipile.as_float8(value double precision) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT value';
CREATE FUNCTION corgipile.as_float8(value boolean) RETURNS double precision
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS 'SELECT value::integer::double precision';
COMMENT ON FUNCTION corgipile.as_float8(double precision)
    IS 'internal: a label or feature value as float8, like the heap reader (the boolean overload: 0/1)';
COMMENT ON FUNCTION corgipile.as_float8(boolean)
    IS 'internal: a label or feature value as float8, like the heap reader (the boolean overload: 0/1)';

-- The SQL expression of a float8[] feature vector of relation for train_sgd's features argument: one array
-- column, or a list of numeric columns. Sparse 'indices, values' pairs (a list naming an array column) cannot be
-- predicted row by row: 0A000, pointing to sgd_evaluate, which reads them.
CREATE FUNCTION corgipile.features_expr(relation regclass, features text) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    kinds text[] := corgipile.feature_kinds(relation, features);
    cols  text[] := corgipile.feature_columns(features);
BEGIN
    IF cardinality(cols) > 1 AND 'array' = ANY (kinds) THEN
        RAISE EXCEPTION 'features "%" are sparse (indices, values): they are not predicted row by row', features
            USING ERRCODE = 'feature_not_supported',
            HINT = 'sgd_evaluate reads sparse features (loss, accuracy, precision, recall, f1, auc).';
    END IF;
    IF kinds[1] = 'array' THEN
        RETURN corgipile.float8_expr(relation, cols[1], false);
    END IF;
    RETURN 'ARRAY[' || (SELECT string_agg(corgipile.float8_expr(relation, c, false), ', ') FROM unnest(cols) AS c)
        || ']';
END
$fn$;
COMMENT ON FUNCTION corgipile.features_expr(regclass, text)
    IS 'internal: SQL expression of a features argument of a relation as float8[]';

-- The SQL condition that every column of a features argument is not NULL (the rows training and prediction skip).
CREATE FUNCTION corgipile.features_present(features text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT string_agg(format('%I IS NOT NULL', c), ' AND ') FROM unnest(corgipile.feature_columns(features)) AS c
$fn$;
COMMENT ON FUNCTION corgipile.features_present(text) IS 'internal: SQL condition that no feature column is NULL';

-- Raises unless a relation, label and features were given.
CREATE FUNCTION corgipile.require_arguments(relation regclass, label text, features text) RETURNS void
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
BEGIN
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example (''my_model'', ''my_table'', ''label'', ''features'').';
    END IF;
END
$fn$;
COMMENT ON FUNCTION corgipile.require_arguments(regclass, text, text) IS 'internal: NULL checks of relation arguments';

-- ------------------------------------------------------------------------------------------- probabilities

-- One probability per class: [P(negative), P(positive)] of a logistic model, the softmax of a softmax model's
-- logits. Plain SQL (no extension needed); features are standardised with the stored mean/std.
CREATE FUNCTION sgd_predict_probabilities(model_name text, features double precision[])
RETURNS double precision[]
LANGUAGE plpgsql STABLE STRICT PARALLEL SAFE AS $fn$
DECLARE
    m      corgipile.models;
    d      integer;
    logits double precision[];
    top    double precision;
    total  double precision;
BEGIN
    SELECT * INTO m FROM corgipile.models x WHERE x.id = corgipile.model_id(model_name);
    d := m.dimension;
    IF m.model_type NOT IN ('logistic', 'softmax') THEN
        RAISE EXCEPTION 'sgd_predict_probabilities needs a logistic or softmax model; "%" is %', model_name,
            m.model_type USING ERRCODE = 'feature_not_supported',
            HINT = 'Binary mlp models: sgd_predict_proba (positive class); svm and linear models have no probabilities.';
    END IF;
    IF array_ndims(features) IS DISTINCT FROM 1 THEN
        RAISE EXCEPTION 'features must be a one-dimensional array, not %-dimensional', coalesce(array_ndims(features), 0)
            USING ERRCODE = 'array_subscript_error', HINT = 'Pass one feature vector per call, e.g. ''{1.5, 2}''.';
    END IF;
    IF cardinality(features) <> d THEN
        RAISE EXCEPTION 'features have % values but model "%" expects %', coalesce(cardinality(features), 0),
            model_name, d USING ERRCODE = 'data_exception', HINT = 'Pass the feature vector the model was trained on.';
    END IF;
    IF array_position(features, NULL) IS NOT NULL THEN
        RAISE EXCEPTION 'features must not contain NULL elements' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Replace missing values before predicting, e.g. with coalesce.';
    END IF;
    -- as sgd_predict: a NaN or infinite feature is an error (0-based index), not a probability of 0 or 1
    PERFORM corgipile.raise_server_error(format('feature %s is %s', i - 1, f), 'data_exception', NULL,
                                         'Remove or impute NaN and infinite values before predicting.')
    FROM unnest(features) WITH ORDINALITY AS u(f, i)
    WHERE f IN ('NaN', 'Infinity', '-Infinity')
    ORDER BY i LIMIT 1;
    logits := ARRAY(SELECT corgipile.glm_margin(m.parameters[c * (d + 1) + 1 : (c + 1) * (d + 1)], m.feature_mean,
                                                m.feature_std, features)
                    FROM generate_series(0, cardinality(m.parameters) / (d + 1) - 1) AS c ORDER BY c);
    IF m.model_type = 'logistic' THEN
        top := 1 / (1 + exp(-greatest(least(logits[1], 700), -700)));
        RETURN ARRAY[1 - top, top];
    END IF;
    top := (SELECT max(z) FROM unnest(logits) AS z);
    total := (SELECT sum(exp(z - top)) FROM unnest(logits) AS z);
    RETURN ARRAY(SELECT exp(z - top) / total FROM unnest(logits) WITH ORDINALITY AS u(z, i) ORDER BY i);
END
$fn$;
COMMENT ON FUNCTION sgd_predict_probabilities(text, double precision[])
    IS 'Probability of each class: [P(0), P(1)] for logistic, one per class for softmax (plain SQL)';

-- ------------------------------------------------------------------------------------------- evaluation

-- Counts of (actual, predicted) label pairs of a classifier on a relation (rows with a NULL label or features are
-- skipped, as in training). Runs as the caller through the executor.
CREATE FUNCTION sgd_confusion_matrix(model_name text, relation regclass, label text, features text)
RETURNS TABLE(actual double precision, predicted double precision, count bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_column
DECLARE
    kind text;
BEGIN
    PERFORM corgipile.require_arguments(relation, label, features);
    SELECT m.model_type INTO kind FROM corgipile.models m WHERE m.id = corgipile.model_id(model_name);
    IF kind = 'linear' THEN
        RAISE EXCEPTION 'model "%" is a linear regression: it has no classes', model_name
            USING ERRCODE = 'feature_not_supported', HINT = 'Use sgd_evaluate for rmse, mae and r2.';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT s.y, s.p, count(*) FROM (SELECT %6$s AS y, sgd_predict(%2$L, %3$s) AS p FROM %4$s '
        'WHERE %1$I IS NOT NULL AND %5$s) s GROUP BY s.y, s.p ORDER BY s.y, s.p',
        label, model_name, corgipile.features_expr(relation, features), relation,
        corgipile.features_present(features), corgipile.label_expr(relation, label));
END
$fn$;
COMMENT ON FUNCTION sgd_confusion_matrix(text, regclass, text, text)
    IS 'Confusion matrix of a classifier on a relation: (actual, predicted, count)';

-- Precision, recall, f1 and support of each class, from the confusion matrix.
CREATE FUNCTION sgd_class_metrics(model_name text, relation regclass, label text, features text)
RETURNS TABLE(class double precision, "precision" double precision, recall double precision, f1 double precision,
              support bigint)
LANGUAGE sql VOLATILE PARALLEL UNSAFE AS $fn$
    WITH cm AS (SELECT * FROM sgd_confusion_matrix(model_name, relation, label, features)),
         classes AS (SELECT actual AS c FROM cm UNION SELECT predicted FROM cm),
         per AS (SELECT k.c,
                        coalesce((SELECT sum(count) FROM cm WHERE actual = k.c AND predicted = k.c), 0) AS tp,
                        coalesce((SELECT sum(count) FROM cm WHERE predicted = k.c), 0) AS predicted,
                        coalesce((SELECT sum(count) FROM cm WHERE actual = k.c), 0) AS actual
                 FROM classes k)
    SELECT c, (tp / nullif(predicted, 0))::float8, (tp / nullif(actual, 0))::float8,
           (2 * tp / nullif(predicted + actual, 0))::float8, actual::bigint
    FROM per ORDER BY c
$fn$;
COMMENT ON FUNCTION sgd_class_metrics(text, regclass, text, text)
    IS 'Per-class precision, recall, f1 and support of a classifier on a relation';

-- The ROC curve of a binary model with probabilities (logistic, binary mlp), like BigQuery's ML.ROC_CURVE: at most
-- 101 thresholds (the 0, 1, ..., 100th percentiles of the predicted probability), each with the rates and counts
-- of predicting positive when the probability is >= the threshold. Positive = label > 0 (1 of 0/1, +1 of -1/+1).
CREATE FUNCTION sgd_roc_curve(model_name text, relation regclass, label text, features text)
RETURNS TABLE(threshold double precision, recall double precision, false_positive_rate double precision,
              true_positives bigint, false_positives bigint, true_negatives bigint, false_negatives bigint)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_column
DECLARE
    m corgipile.models;
BEGIN
    PERFORM corgipile.require_arguments(relation, label, features);
    SELECT * INTO m FROM corgipile.models x WHERE x.id = corgipile.model_id(model_name);
    IF NOT (m.model_type = 'logistic' OR m.model_type = 'mlp' AND (m.params->>'classes')::integer = 2) THEN
        RAISE EXCEPTION 'sgd_roc_curve needs a binary model with probabilities (logistic or binary mlp); "%" is %',
            model_name, m.model_type USING ERRCODE = 'feature_not_supported',
            HINT = 'Other classifiers: sgd_confusion_matrix and sgd_class_metrics.';
    END IF;
    RETURN QUERY EXECUTE format(
        'WITH s AS (SELECT sgd_predict_proba(%2$L, %3$s) AS p, %6$s > 0 AS pos FROM %4$s '
        '           WHERE %1$I IS NOT NULL AND %5$s), '
        '     t AS (SELECT DISTINCT unnest(percentile_disc(ARRAY(SELECT (g / 100.0)::float8 FROM generate_series(0, 100) g)) '
        '                                  WITHIN GROUP (ORDER BY p)) AS threshold FROM s) '
        'SELECT t.threshold, '
        '       count(*) FILTER (WHERE s.pos AND s.p >= t.threshold)::float8 / nullif(count(*) FILTER (WHERE s.pos), 0), '
        '       count(*) FILTER (WHERE NOT s.pos AND s.p >= t.threshold)::float8 '
        '           / nullif(count(*) FILTER (WHERE NOT s.pos), 0), '
        '       count(*) FILTER (WHERE s.pos AND s.p >= t.threshold), '
        '       count(*) FILTER (WHERE NOT s.pos AND s.p >= t.threshold), '
        '       count(*) FILTER (WHERE NOT s.pos AND s.p < t.threshold), '
        '       count(*) FILTER (WHERE s.pos AND s.p < t.threshold) '
        'FROM t CROSS JOIN s GROUP BY t.threshold ORDER BY t.threshold',
        label, model_name, corgipile.features_expr(relation, features), relation,
        corgipile.features_present(features), corgipile.label_expr(relation, label));
END
$fn$;
COMMENT ON FUNCTION sgd_roc_curve(text, regclass, text, text)
    IS 'ROC curve of a logistic or binary mlp model on a relation: up to 101 thresholds with rates and counts';

-- ------------------------------------------------------------------------------------------- predicting a relation

-- The error of a row whose features are not the model's length, as the heap reader's row errors word it: the
-- column, the tuple and the relation holding it (a partition or child: "t_2" (part of "t")). Typed to stand in the
-- CASE that checks the length, which calls it for such a row only.
CREATE FUNCTION corgipile.row_length_error(relation regclass, holder regclass, tuple tid, features text, n integer,
                                           model_name text, dimension integer) RETURNS double precision[]
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $fn$
BEGIN
    RAISE EXCEPTION 'features "%" of % have % elements; model "%" expects %', features,
        corgipile.tuple_name(relation, holder, tuple), n, model_name, dimension
        USING ERRCODE = 'data_exception', HINT = 'Predict rows with the model trained on features of their length.';
END
$fn$;
COMMENT ON FUNCTION corgipile.row_length_error(regclass, regclass, tid, text, integer, text, integer)
    IS 'internal: the error of a row whose features are not the model''s length (sgd_predict_relation)';

-- The query of sgd_predict_relation (with its checks): (ctid, prediction, probability) of every row of relation
-- with features. Each row's features are computed once, in a subquery fenced by OFFSET 0 (the planner would
-- otherwise substitute them into every use): the length check and both predictions read that value; a numeric
-- column list or numeric[] column is a conversion (a subquery per row) worth doing once.
CREATE FUNCTION corgipile.predict_relation_query(model_name text, relation regclass) RETURNS text
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $fn$
DECLARE
    cols text;
    d    integer;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION 'relation must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example sgd_predict_relation(''my_model'', ''my_table'').';
    END IF;
    SELECT m.features_column, m.dimension INTO cols, d FROM corgipile.models m
    WHERE m.id = corgipile.model_id(model_name);
    IF cols IS NULL THEN
        RAISE EXCEPTION 'model "%" does not record its feature columns', model_name
            USING ERRCODE = 'feature_not_supported', HINT = 'Use sgd_predict(model_name, features) per row.';
    END IF;
    IF NOT has_table_privilege(relation, 'SELECT') THEN
        -- each row is returned with its position (ctid, tableoid): system columns, which column privileges do not cover
        RAISE EXCEPTION 'permission denied for table %: sgd_predict_relation returns each row''s position (ctid)',
            relation USING ERRCODE = 'insufficient_privilege',
                  HINT = 'sgd_predict_relation needs SELECT on the table, not only on its columns; with column '
                         'privileges, predict in a query: SELECT sgd_predict(model, features) FROM the table.';
    END IF;
    -- a row of another length is an error naming its tuple (sgd_predict's names no row)
    RETURN format(
        'SELECT s.ctid, sgd_predict(%1$L, s.f), sgd_predict_proba(%1$L, s.f), s.tableoid::regclass '
        'FROM (SELECT x.ctid, x.tableoid, CASE WHEN cardinality(x.v) <> %2$s THEN corgipile.row_length_error(%3$L, x.tableoid, '
        '             x.ctid, %4$L, cardinality(x.v), %1$L, %2$s) ELSE x.v END AS f '
        '      FROM (SELECT r.ctid, r.tableoid, %5$s AS v FROM %6$s r WHERE %7$s OFFSET 0) x OFFSET 0) s',
        model_name, d, relation::oid, cols, corgipile.features_expr(relation, cols), relation,
        corgipile.features_present(cols));
END
$fn$;
COMMENT ON FUNCTION corgipile.predict_relation_query(text, regclass)
    IS 'internal: the query of sgd_predict_relation, computing each row''s features once';

-- Predictions for every row of a relation, reading the feature columns the model was trained on (its stored
-- features argument): (ctid, prediction, probability, tableoid), to join back on ctid (and on tableoid for a
-- partitioned table or one with inheritance children, whose tables each number their rows from (0,1)). Rows with
-- NULL features are skipped.
CREATE FUNCTION sgd_predict_relation(model_name text, relation regclass)
RETURNS TABLE(ctid tid, prediction double precision, probability double precision, tableoid regclass)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    RETURN QUERY EXECUTE corgipile.predict_relation_query(model_name, relation);
END
$fn$;
COMMENT ON FUNCTION sgd_predict_relation(text, regclass)
    IS 'Prediction and probability of every row of a relation, from the columns the model was trained on';

-- ------------------------------------------------------------------------------------------- model management

-- Drops a model the caller owns: an unknown name (or one the caller may not see) is undefined_object, a model
-- only granted to the caller insufficient_privilege (row-level security alone would silently delete nothing).
CREATE FUNCTION sgd_drop_model(model_name text) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    IF model_name IS NULL THEN
        RAISE EXCEPTION 'model_name must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Pass the name of a trained model: SELECT name FROM corgipile.models.';
    END IF;
    DELETE FROM corgipile.models m WHERE m.id = corgipile.owned_model_id(model_name);
END
$fn$;
COMMENT ON FUNCTION sgd_drop_model(text) IS 'Drops a stored model (undefined_object when there is none)';

-- ------------------------------------------------------------------------------------------------- partitions
--
-- train_sgd, sgd_evaluate and corgipile.scan_stats accept a partitioned table (and a table with inheritance children,
-- read with its descendants as a query reads it): the heap reader reads every local leaf partition as a table of its
-- own (same snapshot, each partition's own SELECT privilege and row-level security check) and shuffles blocks across
-- all of them. corgipile.relation_leaves finds the leaves and checks the parent.

-- The tables below relation in its inheritance or partition tree (pg_inherits), each once (multiple inheritance),
-- numbered depth first in the order of inheritance: relation_leaves' order of an inheritance tree's tables and the
-- tables whose rows shuffle_once_copy keys by name.
CREATE FUNCTION corgipile.descendants(relation regclass) RETURNS TABLE(relid oid, n bigint)
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    WITH RECURSIVE tree(relid, path) AS (
        SELECT i.inhrelid, ARRAY[i.inhseqno::bigint, i.inhrelid::bigint] FROM pg_inherits i WHERE i.inhparent = relation
        UNION ALL
        SELECT i.inhrelid, tree.path || i.inhseqno::bigint || i.inhrelid::bigint
        FROM pg_inherits i JOIN tree ON i.inhparent = tree.relid)
    SELECT tree.relid, row_number() OVER (ORDER BY min(tree.path)) FROM tree GROUP BY tree.relid
$fn$;
COMMENT ON FUNCTION corgipile.descendants(regclass)
    IS 'internal: the tables below a relation in its inheritance or partition tree, each once, depth first';

-- The name on its server of column col of foreign table rel: its postgres_fdw column_name option, else col (as a query
-- through the foreign table names it there).
CREATE FUNCTION corgipile.remote_column(rel oid, col text) RETURNS text
LANGUAGE sql STABLE STRICT PARALLEL SAFE AS $fn$
    SELECT coalesce((SELECT o.option_value FROM pg_attribute a, pg_options_to_table(a.attfdwoptions) o
                     WHERE a.attrelid = rel AND a.attname = col AND o.option_name = 'column_name'), col)
$fn$;
COMMENT ON FUNCTION corgipile.remote_column(oid, text)
    IS 'internal: the name of a foreign table''s column on its server (postgres_fdw column_name option)';

-- The leaves of a partitioned relation, or of a table with inheritance children (the table itself and every descendant,
-- each once: the rows a query on the table reads), or NULL for any other relation: {"local": [oid of each non-empty
-- local leaf, in tree order], "foreign": [{"oid", "name", "server"} of each postgres_fdw leaf]}. Checks the parent as a
-- query on it would (SELECT on the table or on the columns read; row-level security refused, as the heap reader refuses
-- it on a table); each leaf is checked again when the reader opens it.
CREATE FUNCTION corgipile.relation_leaves(relation regclass, label text, features text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    cols   text[];
    leaves jsonb;
    f      jsonb;
BEGIN
    IF relation IS NULL OR NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.oid = relation AND (c.relkind = 'p'
            OR (c.relkind = 'r' AND EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhparent = relation)))) THEN
        RETURN NULL;
    END IF;
    cols := corgipile.feature_columns(features);
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
               'foreign', coalesce(jsonb_agg(jsonb_build_object(
                                      'oid', t.relid::oid::bigint, 'name', t.relid::text, 'server', s.srvname,
                                      'remote', format('%I.%I',
                                          coalesce((SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o
                                                    WHERE o.option_name = 'schema_name'), n.nspname),
                                          coalesce((SELECT o.option_value FROM pg_options_to_table(ft.ftoptions) o
                                                    WHERE o.option_name = 'table_name'), c.relname)),
                                      'label', corgipile.remote_column(t.relid, label),
                                      'features', (SELECT string_agg(corgipile.remote_column(t.relid, x), ', '
                                                                     ORDER BY o)
                                                   FROM unnest(cols) WITH ORDINALITY AS u(x, o)))
                                   ORDER BY t.n) FILTER (WHERE c.relkind = 'f'), '[]'))
    INTO leaves
    FROM (SELECT p.relid, p.n FROM pg_partition_tree(relation) WITH ORDINALITY AS p(relid, parentrelid, isleaf, level, n)
          WHERE p.isleaf
          UNION ALL
          -- inheritance (pg_partition_tree is empty for it): the table, then its descendants depth first
          SELECT h.relid, h.n FROM (SELECT relation::oid AS relid, 0::bigint AS n
                                    UNION ALL SELECT * FROM corgipile.descendants(relation)) AS h
          WHERE (SELECT c.relkind FROM pg_class c WHERE c.oid = relation) = 'r') AS t
    JOIN pg_class c ON c.oid = t.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_foreign_table ft ON ft.ftrelid = t.relid
    LEFT JOIN pg_foreign_server s ON s.oid = ft.ftserver;
    -- Foreign leaves are read on their servers, by the role of this user's mapping: the coordinator checks here
    -- that this user could read them through the foreign tables (the servers check the mapped role's rights).
    FOR f IN SELECT * FROM jsonb_array_elements(leaves->'foreign') LOOP
        IF NOT has_table_privilege((f->>'oid')::oid, 'SELECT')
           AND NOT (has_column_privilege((f->>'oid')::oid, label, 'SELECT')
                    AND (SELECT bool_and(has_column_privilege((f->>'oid')::oid, c, 'SELECT')) FROM unnest(cols) AS c))
        THEN
            RAISE EXCEPTION 'permission denied for foreign table %', f->>'name'
                USING ERRCODE = 'insufficient_privilege',
                      HINT = 'Training over a foreign partition needs SELECT on it, as a query through it would.';
        END IF;
    END LOOP;
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
                  HINT = 'train_sgd alone trains over foreign partitions (on their servers); this reads local heap '
                         'blocks: use a local copy (CREATE TABLE ... AS SELECT ...), or sgd_confusion_matrix and '
                         'sgd_class_metrics, which query through the foreign tables.';
    END IF;
    RETURN leaves->'local';
END
$fn$;
COMMENT ON FUNCTION corgipile.local_leaves(jsonb, regclass) IS 'internal: the local leaves of relation_leaves, refusing foreign ones';

-- ------------------------------------------------------------------------------- partitions on other servers
--
-- When leaf partitions are postgres_fdw foreign tables, rows stay on their servers and only models travel: each
-- epoch the coordinator sends the current model to every server that holds partitions, each trains one local
-- CorgiPile epoch inside its own backend (corgipile.train_epoch), and the coordinator averages the parameters
-- weighted by the rows each server trained on (and trains its own local partitions itself meanwhile). Servers are
-- reached with dblink over the foreign server of the partition and this user's user mapping (dblink_connect with a
-- server name), one connection per server named corgipile_<server>, asynchronously (dblink_send_query /
-- dblink_get_result) so the servers work in parallel. Every server needs the corgipile extension.

-- Where the engine times the storage device and which budget is the default (DeviceSizing.resolve, the one place
-- for train_sgd and for every server's round of sharded training): the file of the largest of relations (oids; a
-- table or its leaf partitions; JSON null when none is local) and whether corgipile.buffer_memory is at its default.
CREATE FUNCTION corgipile.storage_args(relations jsonb) RETURNS jsonb
LANGUAGE sql STABLE PARALLEL SAFE AS $fn$
    SELECT jsonb_build_object(
        'storage_path', (SELECT pg_relation_filepath(r.oid) FROM jsonb_array_elements_text(relations) AS l,
                                LATERAL (SELECT l::bigint::oid AS oid) AS r
                         ORDER BY pg_relation_size(r.oid) DESC LIMIT 1),
        'buffer_memory_default', (SELECT s.source = 'default' FROM pg_settings s WHERE s.name = 'corgipile.buffer_memory'))
$fn$;
COMMENT ON FUNCTION corgipile.storage_args(jsonb) IS 'internal: the storage file to probe and whether the buffer budget is the default';

-- One round on one server's partitions (or a local list): epoch >= 1 trains one epoch from the model sent
-- (NULL: the seed's initial model) and answers {parameters, dimension, tuples, running_loss, label_encoding,
-- seconds}; epoch 0 answers {metrics} of the model sent; epoch -1 answers the data profile (feature mean and sum of
-- squared deviations, label range), which the coordinator combines weighted by rows so that sharded training
-- standardises with the whole table's statistics, as on one server. relations are tables or partitioned tables of
-- this server (each read with this server's privilege and row-level security checks, for the role that runs this).
CREATE FUNCTION corgipile.train_epoch(relations text[], label text, features text, spec jsonb, model jsonb,
                                      epoch integer, shard integer DEFAULT 0, dimension integer DEFAULT NULL)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    leaves jsonb := '[]';
    rel    regclass;
    l      jsonb;
    r      text;
BEGIN
    PERFORM corgipile.require_extension('corgipile.train_epoch');
    IF relations IS NULL OR cardinality(relations) = 0 OR label IS NULL OR features IS NULL OR epoch IS NULL THEN
        RAISE EXCEPTION 'relations, label, features and epoch must not be NULL or empty'
            USING ERRCODE = 'null_value_not_allowed';
    END IF;
    FOREACH r IN ARRAY relations LOOP
        rel := r::regclass;
        l := corgipile.local_leaves(corgipile.relation_leaves(rel, label, features), rel);
        leaves := leaves || coalesce(l, jsonb_build_array(rel::oid::bigint));
    END LOOP;
    RETURN corgipile._invoke('train_epoch', jsonb_build_object(
        'relations', leaves, 'relation_name', array_to_string(relations, ', '), 'label', label, 'features', features,
        'spec', spec, 'model', model, 'epoch', epoch, 'shard', shard, 'dimension', dimension)
        || corgipile.storage_args(leaves));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_epoch(text[], text, text, jsonb, jsonb, integer, integer, integer)
    IS 'One round of sharded training on this server: one CorgiPile epoch from the model sent (epoch >= 1), its metrics (epoch 0) or its data profile (epoch -1)';

-- Raises msg with SQLSTATE state, detail and hint: a server's error under a message that names the server (sharded
-- training), or an error from inside an SQL expression (sgd_feature_info's multi-dimensional array).
CREATE FUNCTION corgipile.raise_server_error(msg text, state text, detail text, hint text) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL SAFE AS $fn$
BEGIN
    IF coalesce(detail, '') = '' AND coalesce(hint, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state;
    ELSIF coalesce(detail, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, HINT = hint;
    ELSIF coalesce(hint, '') = '' THEN
        RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, DETAIL = detail;
    END IF;
    RAISE EXCEPTION USING MESSAGE = msg, ERRCODE = state, DETAIL = detail, HINT = hint;
END
$fn$;
COMMENT ON FUNCTION corgipile.raise_server_error(text, text, text, text)
    IS 'internal: raise an error with a given SQLSTATE, detail and hint (sharded training, SQL expressions)';

-- Cancels whatever the connections still run and closes them (errors of dead connections ignored).
CREATE FUNCTION corgipile.shard_disconnect(conns text[]) RETURNS void
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
DECLARE
    c text;
BEGIN
    FOREACH c IN ARRAY coalesce(conns, '{}') LOOP
        IF c = ANY (coalesce(dblink_get_connections(), '{}')) THEN
            BEGIN
                IF dblink_is_busy(c) = 1 THEN
                    PERFORM dblink_cancel_query(c);
                END IF;
            EXCEPTION WHEN OTHERS THEN
                NULL;
            END;
            PERFORM dblink_disconnect(c);
        END IF;
    END LOOP;
END
$fn$;
COMMENT ON FUNCTION corgipile.shard_disconnect(text[]) IS 'internal: cancel and close the dblink connections of sharded training';

-- The coordinator: train_sgd's result (the JSON of corgipile._invoke('train')) over local and foreign leaves. It
-- runs the rounds the coordinator's Java plans (state->'rounds'): before epoch 1 a "profile" round (epoch -1 of
-- corgipile.train_epoch), then each epoch "train" (and "evaluate" with train_metrics pass), and ends the epochs when
-- early stopping says so (state->'stop').
-- Any error (a server down or failing: named, with its SQLSTATE; a cancel or statement_timeout here) cancels the
-- servers' statements and closes the connections before it propagates, so no model row is written.
CREATE FUNCTION corgipile.train_sharded(args jsonb, leaves jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
DECLARE
    state    jsonb;
    servers  text[];
    conns    text[] := '{}';
    tables   text[];
    rlabels  text[] := '{}';
    rfeats   text[] := '{}';
    names    text[];
    i        integer;
    ep       integer;
    kind     text;
    reply    jsonb;
    replies  jsonb;
    started  timestamptz;
    info     record;
    e_state  text;
    e_msg    text;
    e_detail text;
    e_hint   text;
    waiting  text[];
    got      jsonb;
    ready    boolean;
BEGIN
    IF to_regprocedure('dblink_send_query(text,text)') IS NULL THEN
        RAISE EXCEPTION 'partitions of % are foreign tables; training them on their servers needs the dblink extension',
            args->>'relation_name'
            USING ERRCODE = 'feature_not_supported',
                  HINT = 'CREATE EXTENSION dblink in this database (it comes with postgresql-contrib, like postgres_fdw).';
    END IF;
    SELECT array_agg(DISTINCT f->>'server' ORDER BY f->>'server') INTO servers
    FROM jsonb_array_elements(leaves->'foreign') AS f;
    -- the label and features as each server names them (the foreign tables' column_name options)
    FOR i IN 1 .. cardinality(servers) LOOP
        SELECT array_agg(DISTINCT (f->>'label') || ' / ' || (f->>'features')) INTO names
        FROM jsonb_array_elements(leaves->'foreign') AS f WHERE f->>'server' = servers[i];
        IF cardinality(names) > 1 THEN
            RAISE EXCEPTION 'the partitions of "%" on foreign server "%" name the label and features differently: %',
                args->>'relation_name', servers[i], array_to_string(names, '; ')
                USING ERRCODE = 'feature_not_supported',
                      HINT = 'A server trains its partitions with one label and one features list: give their columns '
                             'the same names there.';
        END IF;
        rlabels := rlabels || (SELECT f->>'label' FROM jsonb_array_elements(leaves->'foreign') AS f
                               WHERE f->>'server' = servers[i] LIMIT 1);
        rfeats := rfeats || (SELECT f->>'features' FROM jsonb_array_elements(leaves->'foreign') AS f
                             WHERE f->>'server' = servers[i] LIMIT 1);
    END LOOP;
    -- (the relation, model name and slot size: the coordinator's row in corgipile.training_progress; the label
    -- column for errors about the labels)
    state := corgipile._invoke('shard_start', jsonb_build_object('spec', args->'spec', 'label', args->'label',
        'relation', args->'relation', 'relation_name', args->'relation_name', 'model_name', args->'model_name',
        'activity_limit', args->'activity_limit', 'servers', cardinality(servers)));
    BEGIN
        FOR i IN 1 .. cardinality(servers) LOOP
            conns := conns || ('corgipile_' || servers[i]);
            PERFORM corgipile.shard_disconnect(ARRAY[conns[i]]);
            BEGIN
                PERFORM dblink_connect(conns[i], servers[i]);
                SELECT * INTO info FROM dblink(conns[i], $q$
                    SELECT current_database()::text,
                           (SELECT extversion FROM pg_extension WHERE extname = 'corgipile')::text,
                           to_regprocedure('corgipile.train_epoch(text[],text,text,jsonb,jsonb,integer,integer,integer)')
                               IS NOT NULL$q$) AS t(db text, version text, has_epoch boolean);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                        e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                PERFORM corgipile.raise_server_error(format('foreign server "%s": %s', servers[i], e_msg), e_state,
                    e_detail, coalesce(nullif(e_hint, ''), CASE
                        WHEN e_state = '42704' AND e_msg LIKE 'user mapping not found%' THEN format(
                            'Training connects to every server of a partition as the calling role: CREATE USER MAPPING FOR %I SERVER %I OPTIONS (user ..., password ...).',
                            current_user, servers[i])
                        WHEN e_state = '42501' THEN format(
                            'Training connects through the foreign server as a query on the partition would: GRANT USAGE ON FOREIGN SERVER %I TO %I.',
                            servers[i], current_user)
                        WHEN e_state = '2F003' THEN format(
                            'A role that is not a superuser connects with a password: ALTER USER MAPPING FOR %I SERVER %I OPTIONS (ADD password ...).',
                            current_user, servers[i])
                        ELSE 'Check that the server is up and accepts connections from this one.' END));
            END;
            IF info.version IS NULL OR NOT info.has_epoch THEN
                RAISE EXCEPTION 'foreign server "%" has no corgipile extension% in database "%"', servers[i],
                    CASE WHEN info.version IS NULL THEN '' ELSE ' with corgipile.train_epoch (version ' || info.version || ')' END,
                    info.db
                    USING ERRCODE = 'feature_not_supported',
                          HINT = 'Every server that holds partitions trains them itself: CREATE EXTENSION corgipile there (ALTER EXTENSION corgipile UPDATE for an old version).';
            END IF;
        END LOOP;

        -- Start every server's JVM now, in parallel (as on one server, the epochs' seconds exclude it).
        FOR i IN 1 .. cardinality(servers) LOOP
            PERFORM dblink_send_query(conns[i], 'SELECT corgipile.jvm_info()');
        END LOOP;
        FOR i IN 1 .. cardinality(servers) LOOP
            BEGIN
                PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
                PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
            EXCEPTION WHEN OTHERS THEN
                GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                        e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                PERFORM corgipile.raise_server_error(format('foreign server "%s" failed to start its JVM (SQLSTATE %s): %s',
                    servers[i], e_state, e_msg), e_state, e_detail, e_hint);
            END;
        END LOOP;

        FOR ep IN 1 .. (state->'spec'->>'epochs')::integer LOOP
            EXIT WHEN coalesce((state->>'stop')::boolean, false);
            FOREACH kind IN ARRAY ARRAY(SELECT r.k FROM jsonb_array_elements_text(state->'rounds')
                                        WITH ORDINALITY AS r(k, n) ORDER BY r.n) LOOP
                started := clock_timestamp();
                FOR i IN 1 .. cardinality(servers) LOOP
                    SELECT array_agg(f->>'remote') INTO tables
                    FROM jsonb_array_elements(leaves->'foreign') AS f WHERE f->>'server' = servers[i];
                    IF dblink_send_query(conns[i], format(
                           'SELECT corgipile.train_epoch(%L::text[], %L, %L, %L::jsonb, %L::jsonb, %s, %s, %s)',
                           tables, rlabels[i], rfeats[i], state->'spec', state->'model',
                           CASE kind WHEN 'train' THEN ep WHEN 'profile' THEN -1 ELSE 0 END, i, coalesce(args->>'dimension', 'NULL'))) <> 1
                    THEN
                        RAISE EXCEPTION 'foreign server "%" failed in epoch % (SQLSTATE 08006): could not send the query',
                            servers[i], ep
                            USING ERRCODE = 'connection_failure', DETAIL = dblink_error_message(conns[i]);
                    END IF;
                END LOOP;
                replies := '[]';
                IF jsonb_array_length(leaves->'local') > 0 THEN
                    reply := corgipile._invoke('train_epoch', jsonb_build_object(
                        'relations', leaves->'local', 'relation_name', args->>'relation_name',
                        'label', args->>'label', 'features', args->>'features', 'spec', state->'spec',
                        'model', state->'model', 'epoch', CASE kind WHEN 'train' THEN ep WHEN 'profile' THEN -1 ELSE 0 END, 'shard', 0,
                        'dimension', args->'dimension') || corgipile.storage_args(leaves->'local'));
                    replies := replies || jsonb_build_object('server', 'local', 'reply', reply);
                END IF;
                -- Collect the replies as they come, so a failing server is noticed (and the others cancelled)
                -- while the rest still work; wait interruptibly (pg_sleep), so a cancel here lands. The replies
                -- are merged in server order, whatever order they arrived in (the average is then reproducible).
                waiting := servers;
                got := '{}';
                WHILE cardinality(waiting) > 0 LOOP
                    ready := false;
                    FOR i IN 1 .. cardinality(servers) LOOP
                        CONTINUE WHEN NOT servers[i] = ANY (waiting) OR dblink_is_busy(conns[i]) = 1;
                        reply := NULL;
                        BEGIN
                            SELECT t.r INTO reply FROM dblink_get_result(conns[i]) AS t(r jsonb);
                            PERFORM 1 FROM dblink_get_result(conns[i]) AS t(r jsonb);
                            IF reply IS NULL THEN
                                RAISE EXCEPTION 'the connection returned no result' USING ERRCODE = 'connection_failure',
                                    DETAIL = dblink_error_message(conns[i]);
                            END IF;
                        EXCEPTION WHEN OTHERS THEN
                            GET STACKED DIAGNOSTICS e_state = RETURNED_SQLSTATE, e_msg = MESSAGE_TEXT,
                                                    e_detail = PG_EXCEPTION_DETAIL, e_hint = PG_EXCEPTION_HINT;
                            PERFORM corgipile.raise_server_error(format(
                                'foreign server "%s" failed in epoch %s (SQLSTATE %s): %s', servers[i], ep, e_state,
                                e_msg), e_state, e_detail, e_hint);
                        END;
                        got := got || jsonb_build_object(servers[i], reply);
                        waiting := array_remove(waiting, servers[i]);
                        ready := true;
                    END LOOP;
                    IF NOT ready THEN
                        PERFORM pg_sleep(0.002);
                    END IF;
                END LOOP;
                FOR i IN 1 .. cardinality(servers) LOOP
                    replies := replies || jsonb_build_object('server', servers[i], 'reply', got->servers[i]);
                END LOOP;
                state := corgipile._invoke('shard_merge', jsonb_build_object(
                    'state', state, 'kind', kind, 'epoch', ep, 'replies', replies,
                    'started', extract(epoch FROM started)));
            END LOOP;
            -- validation_relation (on the coordinator) with the averaged model; the epoch's NOTICE
            state := corgipile._invoke('shard_epoch_end', jsonb_build_object(
                'state', state, 'label', args->>'label', 'features', args->>'features',
                'validation', args->'validation', 'validations', args->'validations',
                'validation_name', args->'validation_name'));
        END LOOP;
    EXCEPTION WHEN OTHERS OR query_canceled THEN
        -- OTHERS alone would miss a cancel or statement_timeout of this statement (57014)
        PERFORM corgipile.shard_disconnect(conns);
        RAISE;
    END;
    PERFORM corgipile.shard_disconnect(conns);
    RETURN corgipile._invoke('shard_finish', jsonb_build_object('state', state));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_sharded(jsonb, jsonb)
    IS 'internal: train_sgd over partitions on other servers (one epoch per server per round, averaged by rows)';

-- train_sgd's training step: over a table or local partitions in this backend, or over foreign partitions on
-- their servers (corgipile.train_sharded).
CREATE FUNCTION corgipile.train_relation(args jsonb, leaves jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    IF leaves IS NOT NULL AND jsonb_array_length(leaves->'foreign') > 0 THEN
        RETURN corgipile.train_sharded(args, leaves);
    END IF;
    RETURN corgipile._invoke('train', args || jsonb_build_object('relations', leaves->'local'));
END
$fn$;
COMMENT ON FUNCTION corgipile.train_relation(jsonb, jsonb) IS 'internal: train_sgd''s training step (local or sharded)';

-- ------------------------------------------------------------------------------------- in-database training
--
-- train_sgd is a thin wrapper: it declares the signature and the defaults users see (V2's, with block_size and
-- learning_rate NULL: the engine derives them from the table) and forwards every argument to corgipile.train.
--   * the engine (Java, corgipile._invoke('train_arguments')) merges the named arguments with options, validates
--     them with the one options parser and checks the model name; a new option or a new default is a Java change;
--   * corgipile.train keeps only the steps that need SQL, in order: check the call, ask the engine, find the leaf
--     partitions, claim the model name, the shuffle_once copy, train (corgipile.train_relation), store the row
--     (corgipile.store_model), return the epochs. A change to one step replaces that step's function.
--
-- One shuffle_once: the rows in the order of a hash of their position (ctid; a partition's or a child's name too)
-- keyed by the seed (corgipile.shuffle_once_copy), called by train_sgd, by the client and by the benchmark, so one
-- seed gives one data order in server mode, in client mode and in the benchmark. The seed is the run's (drawn and
-- recorded by the engine when not given), so the recorded seed reproduces the run.

-- The label and feature columns of relation, copied in shuffle_once's order into a new table: a temporary table of
-- this session (target NULL; the caller drops it) or the permanent table target (the benchmark). The order is a
-- function of the rows' positions and the seed only: not of the session, nor of the table's OID (a dropped and
-- re-created or restored table with the same rows in the same storage order gets the same order). A row's position
-- is its ctid, after the schema-qualified name of the table that holds it when that is a partition or an
-- inheritance descendant of relation (whose rows the copy reads, as a query on relation does).
CREATE FUNCTION corgipile.shuffle_once_copy(relation regclass, label text, features text, seed bigint,
                                            target text DEFAULT NULL)
RETURNS regclass
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    columns   text;
    copy_name text := coalesce(target, 'corgipile_shuffle_once_' || pg_backend_pid() || '_' || txid_current());
    row_key   text;
BEGIN
    IF relation IS NULL OR label IS NULL OR features IS NULL OR seed IS NULL THEN
        RAISE EXCEPTION 'relation, label, features and seed must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT has_table_privilege(relation, 'SELECT') THEN
        -- the row key below reads ctid (and tableoid): system columns, which column privileges do not cover
        RAISE EXCEPTION 'permission denied for table %: shuffle_once orders its rows by their position (ctid)',
            relation USING ERRCODE = 'insufficient_privilege',
                  HINT = 'shuffle_once needs SELECT on the table, not only on its columns: GRANT SELECT ON the table, '
                         'or train with the default shuffle (corgipile), which reads the label and feature columns.';
    END IF;
    -- each column once (a feature list may name the label or a column twice, as every other strategy allows)
    SELECT string_agg(', ' || quote_ident(c), '' ORDER BY o) INTO columns
    FROM (SELECT c, min(o) AS o FROM unnest(corgipile.feature_columns(features)) WITH ORDINALITY AS u(c, o)
          WHERE c <> label GROUP BY c) AS x;
    -- the descendants' names by tableoid in a constant CASE (no look-up per row); relation's own rows: the ctid
    SELECT coalesce('CASE tableoid' || string_agg(format(' WHEN %s THEN %L', c.oid,
                                                         format('%I.%I ', n.nspname, c.relname)), '')
                    || ' ELSE '''' END || ', '') || 'ctid::text'
    INTO row_key
    FROM corgipile.descendants(relation) d JOIN pg_class c ON c.oid = d.relid
    JOIN pg_namespace n ON n.oid = c.relnamespace;
    EXECUTE format('CREATE %s TABLE %I AS SELECT %I%s FROM %s ORDER BY hashtextextended(%s, %s), %s',
                   CASE WHEN target IS NULL THEN 'TEMPORARY' ELSE '' END, copy_name, label, coalesce(columns, ''),
                   relation, row_key, seed, row_key);
    RETURN (CASE WHEN target IS NULL THEN 'pg_temp.' ELSE '' END || quote_ident(copy_name))::regclass;
END
$fn$;
COMMENT ON FUNCTION corgipile.shuffle_once_copy(regclass, text, text, bigint, text)
    IS 'internal: shuffle_once''s copy (label and feature columns in the order of the seed), in every mode';

-- The checks that open every call reading a relation's heap blocks (train_sgd, sgd_evaluate): the extension is
-- there (else 0A000 naming the function) and relation, label and features are given.
CREATE FUNCTION corgipile.require_heap_call(fn text, relation regclass, label text, features text) RETURNS void
LANGUAGE plpgsql STABLE AS $fn$
BEGIN
    PERFORM corgipile.require_extension(fn);
    IF relation IS NULL OR label IS NULL OR features IS NULL THEN
        RAISE EXCEPTION 'relation, label and features must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Name a table, its label column and its feature column(s), e.g. ''my_table'', ''label'', ''features''.';
    END IF;
    PERFORM corgipile.feature_columns(features);  -- a malformed list is 22023 here, not the reader's 42804
END
$fn$;
COMMENT ON FUNCTION corgipile.require_heap_call(text, regclass, text, text)
    IS 'internal: the extension is installed, relation, label and features are not NULL, and features parse';

-- train_sgd's steps (see above). Arguments: the call's, with the named hyper-parameters as one JSON object (NULL:
-- not given).
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
    numerics      text[];
BEGIN
    PERFORM corgipile.require_heap_call('train_sgd', relation, label, features);
    IF options IS NULL OR jsonb_typeof(options) <> 'object' THEN
        RAISE EXCEPTION 'options must be a JSON object, got %', coalesce(options::text, 'NULL')
            USING ERRCODE = 'invalid_parameter_value', HINT = 'For example options => ''{"l1": 0.001}''.';
    END IF;
    -- {spec (named arguments, options over them; as given), dimension, overwrite, shuffle}, or 22023, or 22004 for
    -- a NULL (named or in options) where NULL does not mean "derive it" (TrainArguments)
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

    numerics := corgipile.numeric_feature_columns(relation, features);
    IF cardinality(numerics) > 0 THEN
        RAISE NOTICE 'features of relation % are numeric (%): every epoch converts each value to float8, several '
                     'times slower than float8 features', relation, CASE cardinality(numerics) WHEN 1 THEN 'column '
                     ELSE 'columns ' END || (SELECT string_agg(quote_ident(c), ', ') FROM unnest(numerics) c)
            USING HINT = format('Store them as float8 once, e.g. ALTER TABLE %s ALTER COLUMN %I TYPE %s.', relation,
                                numerics[1], CASE corgipile.column_kind(relation, numerics[1])
                                             WHEN 'array' THEN 'float8[]' ELSE 'float8' END);
    END IF;

    result := corgipile.train_relation(jsonb_build_object(
        'relation', source::oid::bigint, 'relation_name', relation::text, 'label', label, 'features', features,
        'spec', plan->'spec', 'dimension', plan->'dimension',
        'validation', validation_relation::oid::bigint, 'prep_seconds', prep,
        'validations', vleaves, 'validation_name', validation_relation::text, 'model_name', model_name,
        'activity_limit', pg_size_bytes(current_setting('track_activity_query_size')),
        'warm_start_model', corgipile.model_row(plan->'spec'->>'warm_start'))
        || corgipile.storage_args(coalesce(leaves->'local', jsonb_build_array(source::oid::bigint))), leaves);

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

    -- one row per epoch object, its keys named like corgipile.epoch_result's columns (a missing key is NULL)
    RETURN QUERY SELECT * FROM jsonb_populate_recordset(NULL::corgipile.epoch_result, result->'epochs');
END
$fn$;
COMMENT ON FUNCTION corgipile.train(regclass, text, text, text, regclass, jsonb, jsonb)
    IS 'internal: train_sgd''s steps (the engine resolves the arguments; SQL claims, copies, trains, stores)';

-- The signature and defaults of V2 with NULL defaults for block_size and learning_rate (the engine derives them).
-- LANGUAGE sql: the body is one call.
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

-- ------------------------------------------------------------------------ sgd_evaluate and scan_stats of V2

-- Over partitioned tables too (their local leaves).
CREATE OR REPLACE FUNCTION sgd_evaluate(model_name text, relation regclass, label text, features text)
RETURNS TABLE(metric text, value double precision)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
#variable_conflict use_variable
DECLARE
    result jsonb;
    mid    bigint;
BEGIN
    PERFORM corgipile.require_heap_call('sgd_evaluate', relation, label, features);
    mid := corgipile.model_id(model_name);
    result := corgipile._invoke('evaluate', jsonb_build_object(
        'model', (SELECT to_jsonb(m) FROM corgipile.models m WHERE m.id = mid),
        'relation', relation::oid::bigint, 'label', label, 'features', features, 'relation_name', relation::text,
        'relations', corgipile.local_leaves(corgipile.relation_leaves(relation, label, features), relation)));
    RETURN QUERY
    SELECT e->>0, (e->>1)::double precision FROM jsonb_array_elements(result->'metrics') AS e;
END
$fn$;

CREATE OR REPLACE FUNCTION corgipile.scan_stats(relation regclass, label text, features text, block_pages integer DEFAULT 1280)
RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_heap_call('corgipile.scan_stats', relation, label, features);
    IF block_pages IS NULL THEN
        RAISE EXCEPTION 'block_pages must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'Leave it out for 1280 pages (10 MB).';
    END IF;
    RETURN corgipile._invoke('scan_stats', jsonb_build_object('relation', relation::oid::bigint, 'label', label,
                                                              'features', features, 'block_pages', block_pages,
                                                              'relation_name', relation::text,
                                                              'relations', corgipile.local_leaves(
                                                                  corgipile.relation_leaves(relation, label, features),
                                                                  relation)));
END
$fn$;

-- The timing of the storage device under a relation's largest local file, as train_sgd's default block size uses it
-- (DeviceSizing): the cached one (kept in the data directory, one per disk, blkio read limits and boot of the
-- machine), or measured now and cached when there is none. refresh => true times the device again and replaces the
-- cached entry: superusers only, since the entry sets the default sizes of every role's later trainings. Answers
-- {probe: 'measured' (with probe_seconds) | 'cached' | 'off' (the server pins the probe off) | 'none' (cannot be
-- timed), probed_at, access_ms, mb_per_s, throttle, seek_bound, device_block (seek-bound only)}.
CREATE FUNCTION corgipile.storage_probe(relation regclass, refresh boolean DEFAULT false) RETURNS jsonb
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
BEGIN
    PERFORM corgipile.require_extension('corgipile.storage_probe');
    IF relation IS NULL OR refresh IS NULL THEN
        RAISE EXCEPTION 'relation and refresh must not be NULL' USING ERRCODE = 'null_value_not_allowed';
    END IF;
    IF NOT has_table_privilege(relation, 'SELECT') THEN
        RAISE EXCEPTION 'permission denied for table %', relation USING ERRCODE = 'insufficient_privilege',
            HINT = 'storage_probe times the device under a table you may read.';
    END IF;
    IF refresh AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = current_user AND r.rolsuper) THEN
        RAISE EXCEPTION 'only a superuser may time the storage device again' USING ERRCODE = 'insufficient_privilege',
            HINT = 'Call corgipile.storage_probe(relation) without refresh to see the timing in use.';
    END IF;
    RETURN corgipile._invoke('storage_probe', jsonb_build_object('refresh', refresh)
        || corgipile.storage_args((SELECT coalesce(jsonb_agg(t.relid::oid::bigint) FILTER (WHERE t.isleaf),
                                                   jsonb_build_array(relation::oid::bigint))
                                   FROM pg_partition_tree(relation) AS t)));
END
$fn$;
COMMENT ON FUNCTION corgipile.storage_probe(regclass, boolean)
    IS 'The storage device timing train_sgd''s default block size uses (cached per disk in the data directory); refresh => true (superuser) times it again';
