#!/bin/sh
# Prints the Flyway migrations in Flyway's order (V3 < V3_5 < V4 < V10), one path a line: all of them, or only those
# after version AFTER (the migrations an update script from that release applies), or only those up to and including
# version UPTO (the migrations of that release's install script); an empty AFTER means from the first.
#   sql/migrations.sh DIR [AFTER [UPTO]]
dir=$1
after=$2
upto=$3
# true when version $1 sorts strictly before version $2
before() {
    [ "$1" != "$2" ] && [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n 1)" = "$1" ]
}
for f in "$dir"/V*__*.sql; do
    [ -e "$f" ] || continue
    v=$(basename "$f" | sed -e 's/^V//' -e 's/__.*//' | tr _ .)
    printf '%s %s\n' "$v" "$f"
done | sort -V -k1,1 | while read -r v f; do
    if { [ -z "$after" ] || before "$after" "$v"; } && { [ -z "$upto" ] || ! before "$upto" "$v"; }; then
        echo "$f"
    fi
done
