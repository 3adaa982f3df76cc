#!/usr/bin/env bash
# Paired A/B of two corgipile.jvm_options settings on the warm 200k x 28 point, each train_sgd in a fresh session
# (a fresh backend JVM), ABBA order, so JIT warm-up effects show next to the machine's noise
# (docs/in-database.md, "Issue 13, ninth round").
#
#   scripts/jit-ab.sh ROUNDS STRATEGY EPOCHS "OPTIONS A" "OPTIONS B"
#   e.g. scripts/jit-ab.sh 10 corgipile 5 "" "-XX:-TieredCompilation"
#
# MODE=first (default): the measured call is the session's first (what a user's first call is);
# MODE=bench: first a 1-epoch call on a 20,000-row table in the same session, as the bench's warm-up call does.
# Prints per call: call wall time (ms), per epoch seconds/read_seconds/compute_seconds, median of epochs 2..5.
# Runs against the local cluster (./corgipile db start); creates jit_ab_200k / jit_ab_20k (clustered by label).
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=$1 S=$2 E=$3 A=$4 B=$5
MODE=${MODE:-first}
psql_() { ./corgipile db psql -X -q -At -F' ' "$@"; }
psql_ -c "SELECT 1 FROM pg_class WHERE relname = 'jit_ab_20k'" | grep -q 1 || {
    psql_ -c "CREATE EXTENSION IF NOT EXISTS corgipile" \
        -c "CREATE TABLE jit_ab_200k AS SELECT l AS label, (SELECT array_agg(random() * 2 - 1 + l * 0.3 + g * 0)
                FROM generate_series(1, 28) g) AS features
              FROM (SELECT (random() < 0.5)::int AS l FROM generate_series(1, 200000)) x ORDER BY l" \
        -c "CREATE TABLE jit_ab_20k AS SELECT * FROM jit_ab_200k TABLESAMPLE BERNOULLI (10) REPEATABLE (1) ORDER BY label" \
        -c "VACUUM (FREEZE, ANALYZE) jit_ab_200k" -c "VACUUM (FREEZE, ANALYZE) jit_ab_20k"
}
one() {
    local opts=$1 pre="" wu=""
    [ -n "$opts" ] && pre="SET corgipile.jvm_options = '$opts';"
    [ "$MODE" = bench ] && wu="SELECT count(*) FROM train_sgd(relation => 'jit_ab_20k', label => 'label',
        features => 'features', shuffle => '$S', epochs => 1, model_name => 'jit_ab_warmup', seed => 7,
        validation_relation => 'jit_ab_20k', options => '{\"overwrite\": true}');"
    psql_ <<SQL | tr '\n' ' '
SET client_min_messages = warning; $pre
$wu
\\timing on
SELECT count(*) FROM train_sgd(relation => 'jit_ab_200k', label => 'label', features => 'features',
    shuffle => '$S', epochs => $E, model_name => 'jit_ab', seed => 7, options => '{"overwrite": true}');
\\timing off
SELECT string_agg(round((e->>'seconds')::numeric, 3) || '/' || round((e->>'read_seconds')::numeric, 3) || '/'
    || round((e->>'compute_seconds')::numeric, 3), ' ' ORDER BY (e->>'epoch')::int),
  round((percentile_cont(0.5) WITHIN GROUP (ORDER BY (e->>'seconds')::float8)
    FILTER (WHERE (e->>'epoch')::int BETWEEN 2 AND 5))::numeric, 4)
FROM corgipile.models m, jsonb_array_elements(m.epoch_log) e WHERE m.name = 'jit_ab';
SQL
    echo
}
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) = 1 ]; then first=$A second=$B; else first=$B second=$A; fi
    echo "round $r [$first] $(one "$first")"
    echo "round $r [$second] $(one "$second")"
done
