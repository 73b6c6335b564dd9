#!/usr/bin/env bash
# Benchmark: modelsign vs model_signing 1.1.1 on a generated >= 1 GiB model (issue 2, item 9).
#
#   bash scripts/bench-sign.sh
#
# What it does (about 2-4 minutes on 2 cores; every command is bounded by BENCH_TIMEOUT):
#   1. builds `modelsign` in release mode;
#   2. generates, in a temporary directory (removed at exit), a model of BENCH_SIZE_MIB MiB
#      (default 1024) in BENCH_FILES files (default 4) and a single file of the same size,
#      from `openssl rand` (incompressible), then reads them once to warm the page cache;
#   3. measures the single-core SHA-256 throughput of this machine in the same run
#      (`openssl speed -bytes 1048576 sha256`), the reference for the goals below, and
#      warns when the load average shows other work competing for the cores;
#   4. runs on both data sets, BENCH_RUNS times each (default 3), keeping the best wall
#      time and the max RSS: `modelsign hash`, `modelsign sign key`, `modelsign verify key`
#      and, when the venv exists, `model_signing sign key` / `verify key` (1.1.1);
#   5. prints throughput (MiB/s) next to the goals of issue 2: multi-file hashing >= 90% of
#      cores x single-core SHA-256, single-file >= 90% of single-core SHA-256, and
#      end to end >= 4x faster than model_signing 1.1.1.
#
# Library-level figures (no process start, no signing; shards mode too):
#   cargo run --release -p modelsign-digest --example hash_bench
#
# Timing: hyperfine when installed (`apt-get install hyperfine`; min over runs after one
# warm-up), otherwise a loop with a nanosecond clock; max RSS always from /usr/bin/time
# (apt package `time`). Set BENCH_NO_HYPERFINE=1 to force the loop.
#
# Environment: BENCH_SIZE_MIB, BENCH_FILES, BENCH_RUNS, BENCH_TIMEOUT (seconds per command,
# default 300), BENCH_DIR (where to put the data; default a new dir under ${TMPDIR:-/var/tmp}),
# MODELSIGN_PYTHON_VENV (default <repo>/.venv, as created by `bash .ci/run`).
# Needs: cargo, openssl, /usr/bin/time, python3 (for the JSON of hyperfine only).
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
FILES=${BENCH_FILES:-4}
RUNS=${BENCH_RUNS:-3}
TIMEOUT=${BENCH_TIMEOUT:-300}
VENV=${MODELSIGN_PYTHON_VENV:-$REPO_ROOT/.venv}
KEYS="$REPO_ROOT/../shared/testdata/model-signing-1.1.1/keys"
PRIVATE_KEY="$KEYS/ec256.key.pem"
PUBLIC_KEY="$KEYS/ec256.pub.pem"

die() { printf 'bench: %s\n' "$*" >&2; exit 1; }
[[ -x /usr/bin/time ]] || die "/usr/bin/time missing (apt-get install time)"
command -v openssl >/dev/null || die "openssl missing (apt-get install openssl)"
[[ -f "$PRIVATE_KEY" ]] || die "test key not found: $PRIVATE_KEY (../shared must sit beside the repo)"
((SIZE_MIB % FILES == 0)) || die "BENCH_SIZE_MIB ($SIZE_MIB) must be a multiple of BENCH_FILES ($FILES)"

if [[ -n "${BENCH_DIR:-}" ]]; then
    mkdir -p "$BENCH_DIR"
    WORK="$(mktemp -d "$BENCH_DIR/modelsign-bench.XXXXXX")"
else
    WORK="$(mktemp -d "${TMPDIR:-/var/tmp}/modelsign-bench.XXXXXX")"
fi
trap 'rm -rf "$WORK"' EXIT

echo "== build (release)"
cargo build --release --quiet -p modelsign-cli --manifest-path "$REPO_ROOT/Cargo.toml"
MODELSIGN="${CARGO_TARGET_DIR:-$REPO_ROOT/target}/release/modelsign"
[[ -x "$MODELSIGN" ]] || die "release binary not found at $MODELSIGN"
MODEL_SIGNING="$VENV/bin/model_signing"
if [[ -x "$MODEL_SIGNING" ]]; then
    have_reference=1
else
    have_reference=0
    echo "note: $MODEL_SIGNING not found (run bash .ci/run): reference timings skipped"
fi

echo "== data: $SIZE_MIB MiB in $FILES files, and one $SIZE_MIB MiB file, in $WORK"
mkdir -p "$WORK/multi" "$WORK/single" "$WORK/out"
per_file=$((SIZE_MIB * 1024 * 1024 / FILES))
for ((i = 0; i < FILES; i++)); do
    openssl rand -out "$WORK/multi/shard-$i.bin" "$per_file"
done
openssl rand -out "$WORK/single/model.bin" $((SIZE_MIB * 1024 * 1024))
# Warm page cache: the goals are stated for a warm cache (hashing, not the disk, is measured).
cat "$WORK"/multi/* "$WORK/single/model.bin" >/dev/null

echo "== single-core SHA-256 on this machine"
cores=$(nproc)
cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)
sha_ni=$(grep -q -m1 -w sha_ni /proc/cpuinfo && echo yes || echo no)
# `openssl speed` prints "sha256  <n>k" in 1000s of bytes per second for 1 MiB blocks.
sha_kbps=$(openssl speed -bytes 1048576 -seconds 3 sha256 2>/dev/null | awk '$1 == "sha256" { sub(/k$/, "", $2); print $2 }')
[[ -n "$sha_kbps" ]] || die "could not parse openssl speed output"
sha_mibs=$(awk -v k="$sha_kbps" 'BEGIN { printf "%.0f", k * 1000 / 1048576 }')
echo "cpu: $cpu; cores: $cores; SHA-NI: $sha_ni"
echo "openssl speed sha256 (1 MiB blocks, one core): $sha_mibs MiB/s"
# Other processes skew every figure below (2-core machines especially): say so.
load=$(cut -d' ' -f1 /proc/loadavg)
if awk -v l="$load" -v c="$cores" 'BEGIN { exit !(l > c / 2) }'; then
    echo "WARNING: load average $load on $cores cores: other work is running, figures will be low"
fi

# measure LABEL BYTES -- COMMAND...: best wall time over RUNS runs and max RSS; appends a row.
ROWS=()
declare -A BEST
measure() {
    local label=$1 bytes=$2
    shift 3
    local log="$WORK/out/last.log" best="" rss=0 t0 t1 secs r
    # One run under /usr/bin/time for max RSS (and as a check that the command succeeds).
    if ! /usr/bin/time -f '%M' -o "$WORK/out/rss" timeout "$TIMEOUT" "$@" >"$log" 2>&1; then
        cat "$log" >&2
        die "failed: $*"
    fi
    rss=$(tail -1 "$WORK/out/rss")
    if command -v hyperfine >/dev/null && [[ -z "${BENCH_NO_HYPERFINE:-}" ]]; then
        local quoted
        quoted=$(printf '%q ' timeout "$TIMEOUT" "$@")
        hyperfine --style none --warmup 1 --runs "$RUNS" --export-json "$WORK/out/h.json" \
            "$quoted" >/dev/null
        best=$(python3 -c 'import json,sys; print(min(json.load(open(sys.argv[1]))["results"][0]["times"]))' "$WORK/out/h.json")
    else
        for ((r = 0; r < RUNS; r++)); do
            t0=$(date +%s%N)
            timeout "$TIMEOUT" "$@" >"$log" 2>&1 || { cat "$log" >&2; die "failed: $*"; }
            t1=$(date +%s%N)
            secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
            if [[ -z "$best" ]] || awk -v s="$secs" -v b="$best" 'BEGIN { exit !(s < b) }'; then
                best=$secs
            fi
        done
    fi
    BEST[$label]=$best
    local mibs
    mibs=$(awk -v b="$bytes" -v s="$best" 'BEGIN { printf "%.0f", b / 1048576 / s }')
    ROWS+=("$(printf '%-38s %8.3f s %8s MiB/s %7.0f MiB' "$label" "$best" "$mibs" "$((rss / 1024))")")
    printf '  %s\n' "${ROWS[-1]}"
}

total_bytes=$((SIZE_MIB * 1024 * 1024))
timer=$(command -v hyperfine >/dev/null && [[ -z "${BENCH_NO_HYPERFINE:-}" ]] && echo hyperfine || echo "bash loop")
echo "== timings (best of $RUNS, $timer; max RSS from /usr/bin/time)"
for set in multi single; do
    if [[ $set == multi ]]; then model="$WORK/multi"; name="$FILES files"; else model="$WORK/single/model.bin"; name="1 file"; fi
    sig_ms="$WORK/out/$set.modelsign.sig"
    sig_py="$WORK/out/$set.model_signing.sig"
    measure "$name: modelsign hash" "$total_bytes" -- "$MODELSIGN" --quiet hash "$model"
    measure "$name: modelsign sign key" "$total_bytes" -- \
        "$MODELSIGN" --quiet sign key "$model" --private-key "$PRIVATE_KEY" --signature "$sig_ms"
    measure "$name: modelsign verify key" "$total_bytes" -- \
        "$MODELSIGN" --quiet verify key "$model" --public-key "$PUBLIC_KEY" --signature "$sig_ms"
    if ((have_reference)); then
        measure "$name: model_signing 1.1.1 sign key" "$total_bytes" -- \
            "$MODEL_SIGNING" sign key "$model" --private_key "$PRIVATE_KEY" --signature "$sig_py"
        measure "$name: model_signing 1.1.1 verify key" "$total_bytes" -- \
            "$MODEL_SIGNING" verify key "$model" --public_key "$PUBLIC_KEY" --signature "$sig_py"
    fi
done

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
mibs_of() { awk -v s="${BEST[$1]}" -v b="$total_bytes" 'BEGIN { printf "%.0f", b / 1048576 / s }'; }
verdict() { awk -v v="$1" -v g="$2" 'BEGIN { print (v >= g ? "MET" : "NOT MET") }'; }

echo
echo "== summary ($SIZE_MIB MiB; $cpu; $cores cores; SHA-NI $sha_ni; warm page cache)"
printf '%s\n' "${ROWS[@]}"
echo
multi_goal=$(awk -v s="$sha_mibs" -v c="$cores" 'BEGIN { printf "%.0f", 0.9 * s * c }')
single_goal=$(awk -v s="$sha_mibs" 'BEGIN { printf "%.0f", 0.9 * s }')
multi=$(mibs_of "$FILES files: modelsign hash")
single=$(mibs_of "1 file: modelsign hash")
echo "single-core SHA-256 (openssl speed, same run): $sha_mibs MiB/s"
echo "hash, $FILES files: $multi MiB/s = $(ratio "$multi" "$((sha_mibs * cores))") x (cores x single-core); goal >= 0.90 ($multi_goal MiB/s): $(verdict "$multi" "$multi_goal")"
echo "hash, 1 file:  $single MiB/s = $(ratio "$single" "$sha_mibs") x single-core; goal >= 0.90 ($single_goal MiB/s): $(verdict "$single" "$single_goal")"
if ((have_reference)); then
    for set_name in "$FILES files" "1 file"; do
        for op in sign verify; do
            speedup=$(ratio "${BEST[$set_name: model_signing 1.1.1 $op key]}" "${BEST[$set_name: modelsign $op key]}")
            echo "$op key, $set_name: modelsign is ${speedup}x faster than model_signing 1.1.1; goal >= 4x: $(verdict "$speedup" 4)"
        done
    done
fi
