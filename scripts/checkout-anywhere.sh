#!/usr/bin/env bash
# Checks that the launcher works from any checkout path, as root or as a user: two checkouts in private (0700)
# directories, each with its own local cluster, side by side; each one's `db psql`, `db status` and `db url` reach
# its own cluster without CORGIPILE_PORT, also after a restart.
#
#   scripts/checkout-anywhere.sh          the launcher and the jar it runs clusters with (module local-cluster, built
#                                         by ./corgipile setup) copied into two 0700 directories (seconds; run by
#                                         ./corgipile test)
#   scripts/checkout-anywhere.sh --full   also `git clone` this repository's HEAD into a 0700 directory and run
#                                         `./corgipile demo` and `./corgipile test` there (as long as the suite)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/.." && pwd)"
FULL=0; [ "${1:-}" = "--full" ] && FULL=1
fail() { printf 'checkout-anywhere: FAILED: %s\n' "$*" >&2; exit 1; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

BASE="$(mktemp -d)"          # 0700: the cluster's OS user cannot traverse it
chmod 700 "$BASE"
A="$BASE/a/corgipile"; B="$BASE/b/corgipile"
cleanup() {
    for d in "$A" "$B" "$BASE/clone/corgipile"; do [ -x "$d/corgipile" ] && (cd "$d" && env -u CORGIPILE_PORT ./corgipile db destroy >/dev/null 2>&1) || true; done
    rm -rf "$BASE"
}
trap cleanup EXIT
JAR=local-cluster/target/corgipile-local-cluster.jar
[ -f "$ROOT/$JAR" ] || fail "$ROOT/$JAR is missing: run ./corgipile setup first"
for d in "$A" "$B"; do mkdir -p "$d/$(dirname "$JAR")"; cp "$ROOT/corgipile" "$d/"; cp "$ROOT/$JAR" "$d/$JAR"; done

PORT_B="$(free_port)"
(cd "$A" && env -u CORGIPILE_PORT ./corgipile db start) || fail "db start in $A"
(cd "$B" && CORGIPILE_PORT="$PORT_B" ./corgipile db start) || fail "db start in $B with CORGIPILE_PORT=$PORT_B"
PORT_A="$(cd "$A" && env -u CORGIPILE_PORT ./corgipile db psql -tAc 'show port')" || fail "db psql in $A"
[ "$PORT_A" != "$PORT_B" ] || fail "both clusters on port $PORT_A"
for round in started restarted; do
    for x in "A $A $PORT_A" "B $B $PORT_B"; do
        set -- $x
        got="$(cd "$2" && env -u CORGIPILE_PORT ./corgipile db psql -tAc 'show port')"
        [ "$got" = "$3" ] || fail "$1 ($round): db psql reached port $got, expected $3"
        dir="$(cd "$2" && env -u CORGIPILE_PORT ./corgipile db psql -tAc 'show data_directory')"
        [ "$(readlink -f "$dir")" = "$(readlink -f "$2/.corgipile/pg/data")" ] \
            || fail "$1 ($round): db psql reached the cluster in $dir, not $2/.corgipile/pg/data"
        (cd "$2" && env -u CORGIPILE_PORT ./corgipile db status) | grep -q "127.0.0.1:$3," || fail "$1 ($round): db status"
        [ "$(cd "$2" && env -u CORGIPILE_PORT ./corgipile db url)" = "jdbc:postgresql://127.0.0.1:$3/postgres?user=postgres" ] \
            || fail "$1 ($round): db url"
        if [ "$round" = started ]; then (cd "$2" && env -u CORGIPILE_PORT ./corgipile db stop && env -u CORGIPILE_PORT ./corgipile db start) >/dev/null; fi
    done
done
echo "checkout-anywhere: two checkouts in $BASE (mode 0700), clusters on ports $PORT_A and $PORT_B, each reached by its own db psql/status/url"

if [ "$FULL" = 1 ]; then
    git clone -q "$ROOT" "$BASE/clone/corgipile"
    (cd "$BASE/clone/corgipile" && ./corgipile demo) || fail "./corgipile demo in a clone in $BASE"
    (cd "$BASE/clone/corgipile" && ./corgipile test) || fail "./corgipile test in a clone in $BASE"
    echo "checkout-anywhere: ./corgipile demo and ./corgipile test passed in a clone in $BASE (mode 0700)"
fi
