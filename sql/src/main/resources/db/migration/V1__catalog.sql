-- corgipile catalog: schema corgipile and the models table.
-- Single source of truth for these objects: Flyway applies this file (./corgipile install --url ...) and the
-- extension's install script is built from it (pljava-ext/Makefile), so both create the same catalog.

CREATE SCHEMA IF NOT EXISTS corgipile;
COMMENT ON SCHEMA corgipile IS 'corgipile: models catalog and internal functions';

-- One row per trained model, written in the transaction of the training call: a failed or cancelled training
-- leaves no row. Everything needed to predict again (type, dimension, parameters, standardisation, params) and the
-- provenance (full spec with the seed actually used, source relation, per-epoch log) is stored.
CREATE TABLE corgipile.models (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name              text NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 200),
    model_type        text NOT NULL CHECK (model_type IN ('logistic', 'svm', 'linear', 'softmax', 'mlp')),
    dimension         integer NOT NULL CHECK (dimension >= 1),
    parameters        double precision[] NOT NULL,
    feature_mean      double precision[],
    feature_std       double precision[],
    params            jsonb NOT NULL DEFAULT '{}',
    spec              jsonb NOT NULL,
    seed              bigint,
    source_relation   text,
    label_column      text,
    features_column   text,
    epoch_log         jsonb NOT NULL DEFAULT '[]',
    metrics           jsonb NOT NULL DEFAULT '{}',
    trained_in        text NOT NULL DEFAULT 'server' CHECK (trained_in IN ('server', 'client')),
    version           integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    corgipile_version text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE corgipile.models IS 'Models trained by corgipile (train_sgd or the client), one row per name';
COMMENT ON COLUMN corgipile.models.parameters IS 'Flat parameter vector; layout per model type (linear models: w_0..w_{d-1}, bias)';
COMMENT ON COLUMN corgipile.models.params IS 'Model configuration: classes, hidden, label_encoding, device, best_epoch';
COMMENT ON COLUMN corgipile.models.spec IS 'Every training argument after defaults, including the seed used';
COMMENT ON COLUMN corgipile.models.epoch_log IS 'One object per epoch: epoch, loss, accuracy, validation_loss, ...';
COMMENT ON COLUMN corgipile.models.version IS 'Incremented each time the name is overwritten';

-- One row of train_sgd's result (a type because argument and column names overlap: learning_rate, device).
CREATE TYPE corgipile.epoch_result AS (
    epoch               integer,
    loss                double precision,
    accuracy            double precision,
    validation_loss     double precision,
    validation_accuracy double precision,
    learning_rate       double precision,
    seconds             double precision,
    tuples              bigint,
    device              text
);
COMMENT ON TYPE corgipile.epoch_result IS 'One epoch of train_sgd: metrics are NULL where they do not apply';
