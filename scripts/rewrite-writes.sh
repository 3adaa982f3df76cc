#!/usr/bin/env bash
# Can the hdd emulation charge shuffle-once's rewrite for its writes? (docs/bench.md, Limitations.)
#
# A throwaway cluster like the benchmark's hdd profile (shared_buffers 32MB, work_mem 64MB, no parallel workers,
# fsync off as every benchmark cluster), a 500,000 x 28 float8 table sorted by label (about 140 MB), and its copy in
# shuffle_once's order (CREATE TABLE AS ... ORDER BY the hash corgipile.shuffle_once_copy uses), timed with cold
# caches, the server in a cgroup-v1 blkio group (read limits 150 IOPS / 150 MiB/s) and a memory group that keeps
# the page cache at a budget over the group's anonymous + mapped memory (as the benchmark's keeper does), in four
# set-ups:
#   A  what the benchmark does: no write limit, fsync off, page cache 34 MB
#   B  write limits 150 IOPS / 150 MiB/s, fsync on, CHECKPOINT inside the timed section, page cache 34 MB
#   C  as B without the page-cache limit
#   D  no write limit, fsync off, no page-cache limit
# Printed per set-up: seconds, the group's read and write bytes/requests (blkio.throttle.io_service_bytes and
# io_serviced: what blk-throttle charged), the bytes the copying backend dirtied (write_bytes of /proc/self/io)
# and the checkpointer's. Needs root, cgroup-v1 blkio and memory controllers, PostgreSQL 15 (CORGIPILE_PG_BIN).
# About two minutes; the table is generated once.
set -euo pipefail
PGBIN="${CORGIPILE_PG_BIN:-/usr/lib/postgresql/15/bin}"
OS_USER="${CORGIPILE_PG_OS_USER:-corgipile}"
[ "$(id -u)" -eq 0 ] || { echo "rewrite-writes: needs root (cgroups, drop_caches)" >&2; exit 3; }
BASE="$(mktemp -d /tmp/rewrite-writes.XXXXXX)"; chown "$OS_USER" "$BASE"; D="$BASE/data"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
B=/sys/fs/cgroup/blkio/rewrite-writes-$$; M=/sys/fs/cgroup/memory/rewrite-writes-$$
pg() { (cd / && runuser -u "$OS_USER" -- "$@"); }
sql() { pg "$PGBIN/psql" -X -q -t -A -h 127.0.0.1 -p "$PORT" -U postgres -d postgres "$@"; }
cleanup() {
    pg "$PGBIN/pg_ctl" -D "$D" -w stop >/dev/null 2>&1 || true
    [ -n "${KEEPER:-}" ] && kill "$KEEPER" 2>/dev/null || true
    rmdir "$B" "$M" 2>/dev/null || true
    rm -rf "$BASE"
}
trap cleanup EXIT
# the whole disk under the data directory (blk-throttle rules name a disk, not a partition)
MM="$(mountpoint -d "$(findmnt -no TARGET -T "$BASE")")"
[ -f "/sys/dev/block/$MM/partition" ] && MM="$(cat "/sys/dev/block/$MM/../dev")"

pg "$PGBIN/initdb" -D "$D" -U postgres >/dev/null 2>&1
cat >> "$D/postgresql.conf" <<CONF
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$BASE'
shared_buffers = 32MB
work_mem = 64MB
max_parallel_workers_per_gather = 0
autovacuum = off
synchronous_commit = off
full_page_writes = off
jit = off
fsync = off
CONF
pg "$PGBIN/pg_ctl" -D "$D" -l "$BASE/log" -w start >/dev/null
sql -c "CREATE TABLE t AS SELECT g % 2 AS label, array(SELECT random() + g * 0 FROM generate_series(1, 28)) AS features
        FROM generate_series(1, 500000) g ORDER BY 1" -c "VACUUM (FREEZE, ANALYZE) t" -c CHECKPOINT
echo "table t: $(sql -c "SELECT pg_size_pretty(pg_table_size('t'))"), device $MM"
pg "$PGBIN/pg_ctl" -D "$D" -w stop >/dev/null
mkdir "$B" "$M"
echo 1 > "$M/memory.oom_control"
echo "$MM 150" > "$B/blkio.throttle.read_iops_device"
echo "$MM 157286400" > "$B/blkio.throttle.read_bps_device"

counters() { awk -v d="$MM" '$1 == d && ($2 == "Read" || $2 == "Write") {printf "%s ", $3}' \
    "$B/blkio.throttle.io_service_bytes" "$B/blkio.throttle.io_serviced"; }
mb() { awk -v x="$1" 'BEGIN {printf "%.1f", x / 1e6}'; }
# set-up label, write limit (0/1), fsync (on/off), page-cache budget MB (0 = none), CHECKPOINT in the timing (0/1)
run() {
    local label=$1 wlimit=$2 fsync=$3 budget=$(( $4 << 20 )) checkpoint=$5
    echo "$MM $(( wlimit ? 150 : 0 ))" > "$B/blkio.throttle.write_iops_device"
    echo "$MM $(( wlimit ? 157286400 : 0 ))" > "$B/blkio.throttle.write_bps_device"
    sed -i "s/^fsync = .*/fsync = $fsync/" "$D/postgresql.conf"
    echo -1 > "$M/memory.limit_in_bytes"
    sync; echo 3 > /proc/sys/vm/drop_caches
    pg "$PGBIN/pg_ctl" -D "$D" -l "$BASE/log" -w start >/dev/null
    local pm; pm="$(head -1 "$D/postmaster.pid")"
    for p in "$pm" $(pgrep -P "$pm"); do echo "$p" > "$B/cgroup.procs"; echo "$p" > "$M/cgroup.procs"; done
    sql -c "DROP TABLE IF EXISTS t2" 2>/dev/null
    sync; echo 3 > /proc/sys/vm/drop_caches
    if [ "$budget" -gt 0 ]; then
        while :; do
            awk -v b="$budget" '/^(active_anon|inactive_anon|unevictable) / {a += $2} /^mapped_file / {m = $2}
                END {printf "%.0f\n", int((a + m + b + 4095) / 4096) * 4096}' "$M/memory.stat" \
                > "$M/memory.limit_in_bytes" 2>/dev/null || true
            sleep 0.02
        done & KEEPER=$!
    fi
    local ckpt ck0 ck1 r0 w0 rq0 wq0 r1 w1 rq1 wq1 t0 t1 dirtied
    ckpt="$(pgrep -P "$pm" -f checkpointer)"; ck0="$(awk '/^write_bytes/ {print $2}' "/proc/$ckpt/io")"
    read -r r0 w0 rq0 wq0 <<<"$(counters)"
    t0="$(date +%s.%N)"
    dirtied="$(sql -c "CREATE TABLE t2 AS SELECT label, features FROM t
                      ORDER BY hashtextextended(ctid::text, 59), ctid::text" \
                   $([ "$checkpoint" = 1 ] && echo -c CHECKPOINT) \
                   -c "SELECT split_part(split_part(pg_read_file('/proc/self/io'), 'write_bytes: ', 2), chr(10), 1)" \
               | tail -1)"
    t1="$(date +%s.%N)"
    read -r r1 w1 rq1 wq1 <<<"$(counters)"; ck1="$(awk '/^write_bytes/ {print $2}' "/proc/$ckpt/io")"
    if [ -n "${KEEPER:-}" ]; then kill "$KEEPER"; wait "$KEEPER" 2>/dev/null || true; KEEPER=; fi
    printf '%s  %5.2f s  charged reads %6s MB (%4d requests), writes %6s MB (%4d requests); dirtied: backend %s MB, checkpointer %s MB\n' \
        "$label" "$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')" "$(mb $((r1 - r0)))" $((rq1 - rq0)) \
        "$(mb $((w1 - w0)))" $((wq1 - wq0)) "$(mb "$dirtied")" "$(mb $((ck1 - ck0)))"
    sql -c "DROP TABLE t2" -c CHECKPOINT
    pg "$PGBIN/pg_ctl" -D "$D" -w stop >/dev/null
}
run "A bench today: no write limit, fsync off, page cache 34 MB          " 0 off 34 0
run "B write limit, fsync on + CHECKPOINT timed, page cache 34 MB        " 1 on 34 1
run "C write limit, fsync on + CHECKPOINT timed, no page-cache limit     " 1 on 0 1
run "D no write limit, fsync off, no page-cache limit                    " 0 off 0 0
