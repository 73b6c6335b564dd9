#!/usr/bin/env bash
# Load benchmark of `modelsign tsa serve` (issue 5). Loopback only; every run is bounded
# (DURATION seconds of load, default 20, plus start-up), so the whole script takes about
# (4 x REPEAT + 4) x (DURATION + 10 s) + 3 x DURATION + 20 s (REPEAT=3: about 10 minutes).
#
# For ECDSA P-256 and RSA-3072 TSA keys, with and without --audit-log, it runs the release
# `modelsign tsa serve --dev` (logging one line per token, as in production) and a load
# generator (crates/tsa-server/examples/loadgen.rs: one thread, CONNS keep-alive
# connections, default 64, POSTing a fixed TimeStampReq) and prints tokens/s, p50/p99
# latency, errors and server RSS, next to the raw signing rate of the same key type
# measured in the same run (examples/sign_rate.rs: every core signs, no HTTP).
#
# Shared: server and load generator run on all cores, so the load generator takes CPU from
# the server while "raw" had every core to itself (a conservative ratio).
# Pinned (needs taskset and >= 2 cores): the server gets the first half of the cores, the
# load generator the rest, and "raw" is measured on the server's cores only, so server and
# raw have the same CPUs. Two clients: "sleeping" waits in epoll between replies, so on
# loopback the server's write also pays the kernel's wake-up of the client (an
# inter-processor interrupt on a VM: about a fifth of the server's CPU per token in
# `perf`); "spinning" (`loadgen --spin`) never sleeps, which removes that wake-up, a cost a
# client on another machine would not put on the server. Loopback still differs from
# remote clients: each side's write also runs the other side's TCP receive path.
# Then it measures the HTTP floor (the same stack without signing) and compares threadings
# (per-core runtimes / one multi-threaded runtime) and signing executors.
set -euo pipefail
cd "$(dirname "$0")/.."

DURATION=${DURATION:-20}
CONNS=${CONNS:-64}
BIN=target/release
WORK=target/bench-tsa   # on the repository's disk, so fsync costs what it really costs
mkdir -p "$WORK"

cargo build --release -q -p modelsign-cli 2>/dev/null
cargo build --release -q -p modelsign-tsa-server --examples 2>/dev/null

SERVER_PID=""
cleanup() {
    if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
        kill -TERM "$SERVER_PID" 2>/dev/null || true
        wait "$SERVER_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

# start_server CMD...: runs CMD in the background; sets ADDR from its first stdout line.
start_server() {
    : > "$WORK/server.out"
    "$@" > "$WORK/server.out" 2> "$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do
        if [[ -s "$WORK/server.out" ]]; then break; fi
        sleep 0.1
    done
    ADDR=$(head -n1 "$WORK/server.out" | sed -e 's#^TSA listening on http://##' -e 's#/api/v1/timestamp$##')
    [[ -n "$ADDR" ]] || { echo "server did not start:"; cat "$WORK/server.err"; exit 1; }
}

stop_server() {
    kill -TERM "$SERVER_PID"
    wait "$SERVER_PID" || true
    SERVER_PID=""
}

# User + system clock ticks of the server process, all threads.
cpu_ticks() {
    awk '{print $14 + $15}' "/proc/$SERVER_PID/stat"
}

# cpu_us_per_token TICKS COUNT: server CPU microseconds per token from clock ticks.
cpu_us_per_token() {
    awk -v t="$1" -v hz="$(getconf CLK_TCK)" -v n="$2" 'BEGIN { if (n > 0) printf "%.1f", t / hz * 1e6 / n; else print "n/a" }'
}

rss() {
    awk '/^VmRSS/ {rss=$2} /^VmHWM/ {hwm=$2} END {printf "rss=%.1fMiB peak=%.1fMiB", rss/1024, hwm/1024}' "/proc/$SERVER_PID/status"
}

# ratio RESULT_LINE RAW_LINE: throughput as a share of the raw signing rate ("tokens/s=X"
# vs "raw_sign/s=Y"), and CPU efficiency (raw CPU per signature / server CPU per token).
ratio() {
    local tokens raw server_cpu raw_cpu
    tokens=$(sed -n 's/.*tokens\/s=\([0-9]*\).*/\1/p' <<< "$1")
    raw=$(sed -n 's/.*raw_sign\/s=\([0-9]*\).*/\1/p' <<< "$2")
    server_cpu=$(sed -n 's/.*server_cpu_us=\([0-9.]*\).*/\1/p' <<< "$1")
    raw_cpu=$(sed -n 's/.*raw_cpu_us=\([0-9.]*\).*/\1/p' <<< "$2")
    awk -v t="$tokens" -v r="$raw" -v sc="$server_cpu" -v rc="$raw_cpu" 'BEGIN {
        if (r > 0) printf "%.0f%% of raw rate", 100 * t / r; else printf "n/a"
        if (sc > 0) printf ", CPU efficiency %.0f%% (raw CPU per signature / server CPU per token)", 100 * rc / sc
    }'
}

# run_load KEY AUDIT PREFIX...: one server run under load; PREFIX (e.g. taskset) wraps the
# server, LOADGEN_PREFIX the load generator. Prints the result line.
run_load() {
    local key=$1 audit=$2
    shift 2
    local dev_key
    case $key in p256) dev_key=ecdsa-p256 ;; rsa3072) dev_key=rsa3072 ;; esac
    local args=(tsa serve --dev --dev-dir "$WORK/dev" --dev-key-type "$dev_key" --listen 127.0.0.1:0)
    if [[ $audit == on ]]; then
        rm -f "$WORK/audit.jsonl"
        args+=(--audit-log "$WORK/audit.jsonl")
    fi
    start_server "$@" "$BIN/modelsign" "${args[@]}"
    local result memory extra="" cpu_before cpu_after ok
    cpu_before=$(cpu_ticks)
    # shellcheck disable=SC2086 # LOADGEN_PREFIX and LOADGEN_ARGS are word lists
    result=$(timeout $((DURATION + 30)) ${LOADGEN_PREFIX:-} "$BIN/examples/loadgen" "$ADDR" "$CONNS" "$DURATION" ${LOADGEN_ARGS:-})
    cpu_after=$(cpu_ticks)
    memory=$(rss)
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$result")
    # Server CPU (user + system, all threads) per token: a figure that does not depend on
    # how much CPU the load generator took.
    extra+=" server_cpu_us=$(cpu_us_per_token $((cpu_after - cpu_before)) "$ok")"
    stop_server
    if [[ $audit == on ]]; then extra+=" audit_lines=$(wc -l < "$WORK/audit.jsonl")"; fi
    extra+=" log_lines=$(grep -c 'timestamp issued' "$WORK/server.err" || true)"
    rm -f "$WORK/server.err"
    echo "$result $memory$extra"
}

echo "# modelsign TSA load benchmark: $(nproc) cores, ${CONNS} connections, ${DURATION} s per run, $(date -u +%FT%TZ), load average before: $(cut -d" " -f1-3 /proc/loadavg)"
# The VM this was written on changes speed by +-20 % over minutes (other tenants), so the
# raw rate is measured again right before every load run and each ratio uses its own.
# bracket BEFORE AFTER: the mean of two sign_rate lines (raw rate measured right before and
# right after a load run), so a drift of the VM's speed during the run shows in both.
bracket() {
    awk -v a="$1" -v b="$2" 'BEGIN {
        split(a, x, /[ =]/); split(b, y, /[ =]/)
        for (i = 1; i in x; i += 2) { va[x[i]] = x[i + 1]; vb[y[i]] = y[i + 1] }
        printf "raw_sign/s=%.0f raw_cpu_us=%.1f (before %.0f/s, after %.0f/s; issuance core %.0f/s)",
            (va["raw_sign/s"] + vb["raw_sign/s"]) / 2, (va["raw_cpu_us"] + vb["raw_cpu_us"]) / 2,
            va["raw_sign/s"], vb["raw_sign/s"], (va["issue_core/s"] + vb["issue_core/s"]) / 2
    }'
}

# median_share LINES...: the median of the "N% of raw rate" figures in LINES.
# median_of: the median of the numbers on stdin, one per line (nothing if none).
median_of() { sort -n | awk '{a[NR]=$1} END {if (NR) print a[int((NR + 1) / 2)]}'; }

median_share() {
    local median
    median=$(grep -o '[0-9]*% of raw rate' <<< "$1" | sed 's/%.*//' | median_of)
    if [[ -n "$median" ]]; then echo "$median%"; else echo "n/a"; fi
}

# The VM this was written on changes speed by +-20 % between minutes, so each load run is
# bracketed by raw measurements (before and after, averaged), P-256 runs are repeated
# REPEAT times (default 3), and the median share is printed.
REPEAT=${REPEAT:-3}
echo "## shared: server and load generator on all cores; raw on all cores, just before each run"
for key in p256 rsa3072; do
    for audit in off on; do
        lines=""
        repeats=$REPEAT
        [[ $key == rsa3072 ]] && repeats=1
        for _ in $(seq 1 "$repeats"); do
            before=$(timeout 60 "$BIN/examples/sign_rate" "$key" 2)
            result=$(run_load "$key" "$audit")
            raw=$(bracket "$before" "$(timeout 60 "$BIN/examples/sign_rate" "$key" 2)")
            line="$key audit=$audit: $result; $raw => $(ratio "$result" "$raw")"
            echo "$line"
            lines+="$line"$'\n'
        done
        [[ $repeats -gt 1 ]] && echo "$key audit=$audit shared: median $(median_share "$lines") of raw rate over $repeats runs"
        [[ $key == p256 && $audit == off ]] && P256_SHARED_LINES=$lines
    done
done

CORES=$(nproc)
if command -v taskset > /dev/null && [[ $CORES -ge 2 ]]; then
    half=$((CORES / 2))
    server_cpus="0-$((half - 1))"
    loadgen_cpus="$half-$((CORES - 1))"
    echo "## pinned: server on CPUs $server_cpus, load generator on CPUs $loadgen_cpus; raw on CPUs $server_cpus, just before each run"
    for client in sleeping spinning; do
        args=""
        [[ $client == spinning ]] && args="--spin"
        for audit in off on; do
            lines=""
            repeats=$REPEAT
            [[ $audit == on ]] && repeats=1
            for _ in $(seq 1 "$repeats"); do
                before=$(timeout 60 taskset -c "$server_cpus" "$BIN/examples/sign_rate" p256 2)
                result=$(LOADGEN_PREFIX="taskset -c $loadgen_cpus" LOADGEN_ARGS="$args" run_load p256 "$audit" taskset -c "$server_cpus")
                raw=$(bracket "$before" "$(timeout 60 taskset -c "$server_cpus" "$BIN/examples/sign_rate" p256 2)")
                line="p256 audit=$audit pinned, $client client: $result; $raw => $(ratio "$result" "$raw")"
                echo "$line"
                lines+="$line"$'\n'
            done
            [[ $repeats -gt 1 ]] && echo "p256 audit=$audit pinned, $client client: median $(median_share "$lines") of raw rate over $repeats runs"
        done
    done
fi

# The HTTP floor: the same hyper stack answering a token-sized reply without parsing,
# signing or logging (examples/http_floor.rs). Server CPU per token minus this and minus the
# raw signature is what issuance, serials and logging cost.
run_floor() {
    : > "$WORK/server.out"
    "$@" "$BIN/examples/http_floor" > "$WORK/server.out" 2> "$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do [[ -s "$WORK/server.out" ]] && break; sleep 0.1; done
    ADDR=$(head -n1 "$WORK/server.out")
    local before after result ok
    before=$(cpu_ticks)
    # shellcheck disable=SC2086 # LOADGEN_PREFIX and LOADGEN_ARGS are word lists
    result=$(timeout $((DURATION + 30)) ${LOADGEN_PREFIX:-} "$BIN/examples/loadgen" "$ADDR" "$CONNS" $((DURATION / 2)) ${LOADGEN_ARGS:-})
    after=$(cpu_ticks)
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$result")
    stop_server
    echo "$result server_cpu_us=$(cpu_us_per_token $((after - before)) "$ok")"
}
echo "## HTTP floor (same stack, no signing, $((DURATION / 2)) s each)"
floor_shared=$(run_floor)
echo "floor shared: $floor_shared"
# The ceiling of the shared configuration: a server that cost only the HTTP floor plus the
# signature (no parsing, issuance, serial or log) would need, per token, the machine time of
# one floor request (server and load generator together: 1 / floor rate) plus one signature
# (1 / raw rate on all cores). Shows how much of the gap to the raw rate is the loopback HTTP
# stack and its load generator rather than the TSA.
floor_rate=$(sed -n 's/.*tokens\/s=\([0-9]*\).*/\1/p' <<< "$floor_shared")
raw_rate=$(grep -o 'raw_sign/s=[0-9]*' <<< "${P256_SHARED_LINES:-}" | cut -d= -f2 | median_of)
served=$(grep -o '^p256 audit=off: tokens/s=[0-9]*' <<< "${P256_SHARED_LINES:-}" | cut -d= -f3 | median_of)
if [[ -n "$floor_rate" && -n "$raw_rate" && -n "$served" ]]; then
    awk -v f="$floor_rate" -v r="$raw_rate" -v s="$served" 'BEGIN {
        c = 1 / (1 / f + 1 / r)
        printf "shared ceiling (floor + signature only): %.0f tokens/s = %.0f%% of raw %.0f/s; P-256 served %.0f tokens/s = %.0f%% of that ceiling (medians)\n", c, 100 * c / r, r, s, 100 * s / c
    }'
fi
if command -v taskset > /dev/null && [[ $CORES -ge 2 ]]; then
    echo "floor pinned, sleeping client: $(LOADGEN_PREFIX="taskset -c $loadgen_cpus" run_floor taskset -c "$server_cpus")"
    echo "floor pinned, spinning client: $(LOADGEN_PREFIX="taskset -c $loadgen_cpus" LOADGEN_ARGS=--spin run_floor taskset -c "$server_cpus")"
fi

echo "## threading x signing executor (p256, no audit log, no per-token log, shared cores, $((DURATION / 2)) s each)"
# per-core (the default, crates/tsa-server/src/workers.rs): one current-thread runtime per
# CPU, a connection stays on one; multi-thread: one tokio multi-threaded runtime for all
# connections (the design before 2026-12-07). auto = inline for P-256.
for config in "per-core auto" "per-core rayon" "multi-thread rayon" "multi-thread inline" "multi-thread blocking"; do
    read -r threading executor <<< "$config"
    : > "$WORK/server.out"
    "$BIN/examples/serve" p256 "$executor" "$threading" > "$WORK/server.out" 2> "$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do [[ -s "$WORK/server.out" ]] && break; sleep 0.1; done
    ADDR=$(head -n1 "$WORK/server.out")
    before=$(cpu_ticks)
    result=$(timeout $((DURATION + 30)) "$BIN/examples/loadgen" "$ADDR" "$CONNS" $((DURATION / 2)))
    after=$(cpu_ticks)
    ok=$(sed -n 's/.* ok=\([0-9]*\).*/\1/p' <<< "$result")
    stop_server
    echo "$threading executor=$executor: $result server_cpu_us=$(cpu_us_per_token $((after - before)) "$ok")"
done
