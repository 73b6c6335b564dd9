#!/usr/bin/env bash
# Distil what the fuzzer found for TARGET into the committed corpus fuzz/corpus/TARGET/.
#
# This is `cargo fuzz cmin` made seed-aware: libFuzzer's `-merge=1` starts from the seeds
# (fuzz/seeds/TARGET, built by seed.sh from the shared test data) and adds, from the current
# committed corpus and fuzz/work/TARGET, only inputs that reach edges the seeds do not.
# Files byte-identical to a seed or to any shared test-data file are then dropped, so the
# committed corpus holds only fuzzer-made inputs (libFuzzer names files by SHA-1 of content).
#
# Usage: fuzz/minimize.sh TARGET   (after `cargo +nightly fuzz build TARGET` and seed.sh)
set -euo pipefail

target="${1:?usage: minimize.sh TARGET}"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
testdata="${MODELSIGN_TESTDATA:-$here/../../shared/testdata}"
bin="$here/target/x86_64-unknown-linux-gnu/release/$target"
seeds="$here/seeds/$target"
corpus="$here/corpus/$target"
work="$here/work/$target"
[[ -x "$bin" ]] || { echo "build first: cargo +nightly fuzz build $target" >&2; exit 1; }
[[ -d "$seeds" ]] || { echo "run seed.sh first" >&2; exit 1; }
mkdir -p "$corpus" "$work"

# Only inputs of at most $max_input bytes are committed (the budget is < 2 MiB for all
# targets together; mutated tokens with certificate chains are 4-8 KiB each). Coverage is
# counted as edges (-use_counters=0), not hit-count buckets. For the record, a second merge
# reports the edges that only the larger inputs (kept in work/, not committed) reach.
# JSON inputs are larger per unit of coverage: a bundle with a certificate is ~4 KiB.
case "$target" in
    bundle_json) default_max=8192 ;;
    dsse_statement) default_max=4096 ;;
    *) default_max=2048 ;;
esac
max_input="${MAX_INPUT:-$default_max}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/merged" "$tmp/small" "$tmp/large"
cp -r "$seeds"/. "$tmp/merged"/
find "$corpus" "$work" -type f -size -"$((max_input + 1))"c -exec cp {} "$tmp/small"/ \;
find "$corpus" "$work" -type f -size +"$max_input"c -exec cp {} "$tmp/large"/ \;
merge() {
    "$bin" -merge=1 -use_counters=0 -rss_limit_mb=2048 -max_len=65536 -timeout=10 "$@" 2>&1 |
        grep -E '^MERGE-OUTER: [0-9]+ new files' || true
}
echo "committed (<= $max_input bytes): $(merge "$tmp/merged" "$tmp/small")"
cp -r "$tmp/merged" "$tmp/all"
echo "not committed (larger): $(merge "$tmp/all" "$tmp/large")"
merged="$tmp/merged"

# SHA-1s that must not be committed: the seeds and every shared test-data file.
known="$tmp/known"
ls "$seeds" >"$known"
find "$testdata" -type f -print0 | xargs -0 sha1sum | cut -d' ' -f1 >>"$known"

rm -rf "$corpus"
mkdir -p "$corpus"
for f in "$merged"/*; do
    name="$(basename "$f")"
    grep -qx "$name" "$known" && continue
    # Names must be content hashes for the duplicate check above to hold.
    [[ "$(sha1sum "$f" | cut -d' ' -f1)" == "$name" ]] || continue
    cp "$f" "$corpus/$name"
done
printf '%s: %d committed corpus files, %s\n' "$target" "$(ls "$corpus" | wc -l)" "$(du -sh "$corpus" | cut -f1)"
