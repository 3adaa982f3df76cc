#!/usr/bin/env bash
# corgipile demo: train inside PostgreSQL on label-clustered tables, CorgiPile shuffling vs. no shuffling.
#
# Called by `./corgipile demo` after set-up and `db start`, with CORGIPILE (the launcher), PGBIN and PGPORT.
# The local cluster's superuser is postgres on 127.0.0.1 with trust authentication.
#
# 1. a synthetic table stored clustered by label (all 0s, then all 1s) and its test split;
# 2. Fashion-MNIST "class 0 (T-shirt/top) vs the rest", stored clustered by label, when the dataset loader exists.
# For each: train_sgd with shuffle => 'corgipile' and shuffle => 'none', both per-epoch tables, sgd_evaluate on the
# test split, all with train_sgd's defaults. On clustered data, storage-order SGD (MADlib's IGD) sees one class,
# then the other (on Fashion-MNIST it ends near the majority class; on the symmetric synthetic task the defaults'
# iterate averaging rescues it); CorgiPile's block + buffer shuffle converges like a full shuffle.
set -euo pipefail

PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
CORGIPILE="${CORGIPILE:-$(cd "$(dirname "$0")/.." && pwd)/corgipile}"
PGPORT="${PGPORT:-$("$CORGIPILE" db url | sed 's|.*:\([0-9]*\)/.*|\1|')}"
EPOCHS="${DEMO_EPOCHS:-3}"
# The demo has a database of its own, so it never touches the user's tables or models in other databases.
DEMO_DB="${DEMO_DB:-corgipile_demo}"
PSQL=("$PGBIN/psql" -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PGPORT" -U postgres -d "$DEMO_DB")

say() { if [ -t 1 ]; then printf '\n\033[1m== %s\033[0m\n' "$*"; else printf '\n== %s\n' "$*"; fi; }
sql() { "${PSQL[@]}" -q -c "SET client_min_messages = warning" "$@"; }
# train_sgd's NOTICEs tell the block and buffer sizes it derived from the table
sql_notices() { "${PSQL[@]}" -q -c "SET client_min_messages = notice" "$@" 2>&1 | grep -v '^NOTICE:  epoch' ; }
sql_script() { "${PSQL[@]}" -q -f - ; }

say "database $DEMO_DB and the extension"
if ! "$PGBIN/psql" -X -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$DEMO_DB'" | grep -q 1; then
    "$PGBIN/psql" -X -q -h 127.0.0.1 -p "$PGPORT" -U postgres -d postgres -c "CREATE DATABASE $DEMO_DB"
fi
# A new build may have replaced the installed version: recreate it (this database holds only the demo's models).
sql -c "DROP EXTENSION IF EXISTS corgipile CASCADE" -c "CREATE EXTENSION corgipile" \
    -c "SELECT extversion AS corgipile_version FROM pg_extension WHERE extname = 'corgipile'"

train_and_compare() {
    local table="$1" test="$2" label="$3" features="$4"
    for shuffle in corgipile none; do
        say "train_sgd on $table, shuffle => '$shuffle' ($EPOCHS epochs, logistic regression, the defaults)"
        sql_notices -c "SELECT epoch, round(loss::numeric, 4) AS loss, round(accuracy::numeric, 4) AS train_accuracy,
                       round(validation_accuracy::numeric, 4) AS test_accuracy, round(seconds::numeric, 3) AS seconds,
                       tuples
                FROM train_sgd('$table', '$label', '$features', model => 'logistic', shuffle => '$shuffle',
                               epochs => $EPOCHS, seed => 42,
                               model_name => '${table}_$shuffle', validation_relation => '$test',
                               options => '{\"overwrite\": true}')"
    done
    say "sgd_evaluate on $test"
    sql -c "SELECT c.metric, round(c.value::numeric, 4) AS corgipile, round(n.value::numeric, 4) AS \"none\"
            FROM sgd_evaluate('${table}_corgipile', '$test', '$label', '$features') c
            JOIN sgd_evaluate('${table}_none', '$test', '$label', '$features') n USING (metric)"
}

say "synthetic table: 100000 rows, 20 features, two overlapping classes (best accuracy ~0.97), stored clustered by label"
sql_script <<'SQL'
SET client_min_messages = warning;
DROP TABLE IF EXISTS demo_synthetic, demo_synthetic_test;
SELECT setseed(0.42);
CREATE TABLE demo_synthetic AS
    SELECT i AS id, label,
           ARRAY(SELECT random() * 2 - 1 + CASE WHEN label = 1 THEN 0.25 ELSE -0.25 END
                 FROM generate_series(1, 20) k WHERE i > 0) AS features
    FROM (SELECT i, (random() < 0.5)::int AS label FROM generate_series(1, 100000) i) s
    ORDER BY label, i;
CREATE TABLE demo_synthetic_test AS
    SELECT id, label, features FROM demo_synthetic WHERE id % 10 = 0;
DELETE FROM demo_synthetic WHERE id % 10 = 0;
VACUUM ANALYZE demo_synthetic;
SELECT label, count(*) AS tuples, min(ctid) AS first_tid, max(ctid) AS last_tid FROM demo_synthetic GROUP BY label;
SQL
# The defaults: block and buffer sizes derived from the table (the NOTICE says which), standardised features,
# iterate averaging, learning rate min(0.01, 1/features) -- no hand-picked block_size or learning_rate.
train_and_compare demo_synthetic demo_synthetic_test label features

if "$CORGIPILE" dataset --help >/dev/null 2>&1; then
    say "Fashion-MNIST (class 0 vs the rest), stored clustered by label"
    if CORGIPILE_DB="$DEMO_DB" "$CORGIPILE" dataset load fashion-mnist-binary --layout clustered --table fmnist --test-fraction 0.15 --replace \
            --no-progress; then
        train_and_compare fmnist fmnist_test label features
    else
        say "loading Fashion-MNIST failed (see above); the synthetic part of the demo stands"
    fi
else
    say "the dataset loader is not built yet (./corgipile dataset): Fashion-MNIST part skipped"
fi

say "models"
sql -c "SELECT name, model_type, dimension, spec->>'shuffle' AS shuffle, round((metrics->>'validation_accuracy')::numeric, 4)
               AS test_accuracy, created_at FROM corgipile.models ORDER BY name"

say "try it yourself"
cat <<TXT
  CORGIPILE_DB=$DEMO_DB ./corgipile db psql          # psql in the demo database
  SELECT sgd_predict('fmnist_corgipile', features), label FROM fmnist_test LIMIT 5;
  SELECT * FROM sgd_evaluate('demo_synthetic_corgipile', 'demo_synthetic_test', 'label', 'features');
TXT
