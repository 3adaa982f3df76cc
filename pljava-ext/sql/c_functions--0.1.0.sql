-- C functions of corgipile.so (extension only; everything else comes from the Flyway migrations above).
-- sgd_predict/sgd_predict_proba are C so that predicting over a table costs a JNI call per row, not a PL/pgSQL
-- call and a catalog query per row.
-- All PARALLEL UNSAFE: they run Java on the backend's main thread and read heap blocks under its snapshot.

CREATE FUNCTION corgipile._invoke(function text, args jsonb) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'corgipile_invoke' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgipile._invoke(text, jsonb) IS 'internal: call a corgipile Java function with JSON arguments';

CREATE FUNCTION sgd_predict(model_name text, features double precision[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'corgipile_sgd_predict' LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION sgd_predict(text, double precision[])
    IS 'Prediction of a stored model: class label (0/1 or -1/+1, or class index) or regression value';

CREATE FUNCTION sgd_predict_proba(model_name text, features double precision[]) RETURNS double precision
    AS 'MODULE_PATHNAME', 'corgipile_sgd_predict_proba' LANGUAGE C STABLE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION sgd_predict_proba(text, double precision[])
    IS 'Positive-class probability of a stored logistic or binary mlp model (NULL for other models)';

CREATE FUNCTION corgipile._check_relation(relation regclass, label text, features text) RETURNS void
    AS 'MODULE_PATHNAME', 'corgipile_check_relation' LANGUAGE C VOLATILE STRICT PARALLEL UNSAFE;
COMMENT ON FUNCTION corgipile._check_relation(regclass, text, text)
    IS 'internal: the heap reader''s checks (relation kind, privileges, row-level security, columns)';
