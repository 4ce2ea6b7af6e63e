#!/usr/bin/env bash
# usage-spool.sh - what fmfs-usage.service runs: take the usage exports
# dropped into $FMFS_SPOOL/new, convert them with `fmctl usage` in one
# all-or-nothing run, and move each export to $FMFS_SPOOL/done once none of
# its records is left for a later month (those wait in $FMFS_SPOOL/pending).
#
# Environment (from /etc/fmfs/usage.conf): FMFS_STORE, FMFS_ORG, FMFS_SPOOL,
# optional FMFS_FMCTL (default: fmctl in PATH), FMFS_TMPDIR (scratch space,
# as large as the exports).
set -eu -o pipefail
: "${FMFS_STORE:?FMFS_STORE is not set (see /etc/fmfs/usage.conf)}"
: "${FMFS_ORG:?FMFS_ORG is not set}"
: "${FMFS_SPOOL:?FMFS_SPOOL is not set}"
fmctl=${FMFS_FMCTL:-fmctl}
[ -n "${FMFS_TMPDIR:-}" ] && export TMPDIR=$FMFS_TMPDIR
new=$FMFS_SPOOL/new pending=$FMFS_SPOOL/pending done=$FMFS_SPOOL/done
mkdir -p "$new" "$pending" "$done"

# one run at a time (the timer and the path unit may meet)
exec 9>"$FMFS_SPOOL/.lock"
flock 9

# new exports join the pending ones; names are kept, a clash gets a suffix
shopt -s nullglob
for f in "$new"/*.csv; do
	base=${f##*/} dest=$pending/${f##*/} n=1
	while [ -e "$dest" ]; do dest=$pending/${base%.csv}.$n.csv; n=$((n + 1)); done
	mv -- "$f" "$dest"
done
files=("$pending"/*.csv)
[ ${#files[@]} -gt 0 ] || { echo "usage-spool: nothing to do"; exit 0; }

out=$(mktemp)
trap 'rm -f "$out"' EXIT
if ! "$fmctl" -s "$FMFS_STORE" usage --org "$FMFS_ORG" "${files[@]}" >"$out"; then
	echo "usage-spool: fmctl usage failed; the exports stay in $pending" >&2
	exit 1
fi
grep -v '^pending ' "$out" || true
stamp=$(date -u +%Y%m%dT%H%M%SZ)
for f in "${files[@]}"; do
	if grep -qxF "pending $f" "$out"; then
		echo "usage-spool: $f: kept for a later run (records of open months)"
	else
		mv -- "$f" "$done/$stamp-${f##*/}"
	fi
done
