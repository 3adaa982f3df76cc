-- corgipile introspection, part 2 (issue 14): class probabilities, confusion matrix and per-class metrics, ROC
-- curve, predicting over a relation by the model's feature columns, dropping a model.

-- ------------------------------------------------------------------------------------------- private helpers

-- The SQL expression of a float8[] feature vector for train_sgd's features argument: one array column, or a list
-- of numeric columns (sparse 'indices, values' pairs cannot be predicted row by row).
CREATE FUNCTION corgipile.features_expr(features text) RETURNS text
LANGUAGE plpgsql IMMUTABLE PARALLEL SAFE AS $fn$
DECLARE
    cols text[] := ARRAY(SELECT btrim(c) FROM unnest(string_to_array(features, ',')) AS c);
BEGIN
    IF features IS NULL OR cardinality(cols) = 0 OR '' = ANY (cols) THEN
        RAISE EXCEPTION 'features must name one array column or a comma-separated list of columns, got "%"',
            coalesce(features, 'NULL') USING ERRCODE = 'invalid_parameter_value',
            HINT = 'For example ''features'' or ''x1, x2''.';
    END IF;
    IF cardinality(cols) = 1 THEN
        RETURN format('%I::float8[]', cols[1]);
    END IF;
    RETURN 'ARRAY[' || (SELECT string_agg(format('%I::float8', c), ', ') FROM unnest(cols) AS c) || ']';
END
$fn$;
COMMENT ON FUNCTION corgipile.features_expr(text) IS 'internal: SQL expression of a features argument as float8[]';

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
        'SELECT s.y, s.p, count(*) FROM (SELECT %1$I::float8 AS y, sgd_predict(%2$L, %3$s) AS p FROM %4$s '
        'WHERE %1$I IS NOT NULL AND %5$s) s GROUP BY s.y, s.p ORDER BY s.y, s.p',
        label, model_name, corgipile.features_expr(features), relation,
        (SELECT string_agg(format('%I IS NOT NULL', btrim(c)), ' AND ')
         FROM unnest(string_to_array(features, ',')) AS c));
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
        'WITH s AS (SELECT sgd_predict_proba(%2$L, %3$s) AS p, %1$I > 0 AS pos FROM %4$s '
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
        label, model_name, corgipile.features_expr(features), relation,
        (SELECT string_agg(format('%I IS NOT NULL', btrim(c)), ' AND ')
         FROM unnest(string_to_array(features, ',')) AS c));
END
$fn$;
COMMENT ON FUNCTION sgd_roc_curve(text, regclass, text, text)
    IS 'ROC curve of a logistic or binary mlp model on a relation: up to 101 thresholds with rates and counts';

-- ------------------------------------------------------------------------------------------- predicting a relation

-- Predictions for every row of a relation, reading the feature columns the model was trained on (its stored
-- features argument): (ctid, prediction, probability), to join back on ctid. Rows with NULL features are skipped.
CREATE FUNCTION sgd_predict_relation(model_name text, relation regclass)
RETURNS TABLE(ctid tid, prediction double precision, probability double precision)
LANGUAGE plpgsql VOLATILE PARALLEL UNSAFE AS $fn$
DECLARE
    cols text;
BEGIN
    IF relation IS NULL THEN
        RAISE EXCEPTION 'relation must not be NULL' USING ERRCODE = 'null_value_not_allowed',
            HINT = 'For example sgd_predict_relation(''my_model'', ''my_table'').';
    END IF;
    SELECT m.features_column INTO cols FROM corgipile.models m WHERE m.id = corgipile.model_id(model_name);
    IF cols IS NULL THEN
        RAISE EXCEPTION 'model "%" does not record its feature columns', model_name
            USING ERRCODE = 'feature_not_supported', HINT = 'Use sgd_predict(model_name, features) per row.';
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT r.ctid, sgd_predict(%1$L, %2$s), sgd_predict_proba(%1$L, %2$s) FROM %3$s r WHERE %4$s',
        model_name, corgipile.features_expr(cols), relation,
        (SELECT string_agg(format('%I IS NOT NULL', btrim(c)), ' AND ') FROM unnest(string_to_array(cols, ',')) AS c));
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
