#!/bin/sh
# Prints the Flyway migrations in Flyway's order (V3 < V3_5 < V4 < V10), one path a line; with a version argument,
# only those after it (the migrations an update script from that version applies).
#   sql/migrations.sh DIR [AFTER]
dir=$1
after=$2
for f in "$dir"/V*__*.sql; do
    [ -e "$f" ] || continue
    v=$(basename "$f" | sed -e 's/^V//' -e 's/__.*//' | tr _ .)
    printf '%s %s\n' "$v" "$f"
done | sort -V -k1,1 | while read -r v f; do
    if [ -z "$after" ] || [ "$v" != "$after" -a "$(printf '%s\n%s\n' "$after" "$v" | sort -V | tail -n 1)" = "$v" ]; then
        echo "$f"
    fi
done
