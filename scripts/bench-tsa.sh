#!/usr/bin/env bash
# Load benchmark of `modelsign tsa serve` (issue 5). Loopback only; every run is bounded
# (DURATION seconds of load, default 20, plus start-up), so the whole script takes about
# 4 x DURATION + 3 x DURATION/2 + 20 s.
#
# For ECDSA P-256 and RSA-3072 TSA keys, with and without --audit-log, it runs the release
# `modelsign tsa serve --dev` and a load generator (crates/tsa-server/examples/loadgen.rs:
# CONNS keep-alive connections, default 64, POSTing a fixed TimeStampReq) and prints
# tokens/s, p50/p99 latency, errors and server RSS, next to the raw signing rate of the same
# key type measured in the same run (examples/sign_rate.rs, all cores). The load generator
# shares the machine with the server, so the server gets less than all cores.
# Finally it compares the signing executors (rayon pool / spawn_blocking / inline).
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

rss() {
    awk '/^VmRSS/ {rss=$2} /^VmHWM/ {hwm=$2} END {printf "rss=%.1fMiB peak=%.1fMiB", rss/1024, hwm/1024}' "/proc/$SERVER_PID/status"
}

echo "# modelsign TSA load benchmark: $(nproc) cores, ${CONNS} connections, ${DURATION} s per run, $(date -u +%FT%TZ), load average before: $(cut -d" " -f1-3 /proc/loadavg)"
for key in p256 rsa3072; do
    case $key in p256) dev_key=ecdsa-p256 ;; rsa3072) dev_key=rsa3072 ;; esac
    raw=$(timeout 60 "$BIN/examples/sign_rate" "$key" 3)
    echo "## $key: $raw (all cores, no HTTP)"
    for audit in off on; do
        args=(tsa serve --dev --dev-dir "$WORK/dev" --dev-key-type "$dev_key" --listen 127.0.0.1:0)
        if [[ $audit == on ]]; then
            rm -f "$WORK/audit.jsonl"
            args+=(--audit-log "$WORK/audit.jsonl")
        fi
        start_server "$BIN/modelsign" "${args[@]}"
        result=$(timeout $((DURATION + 30)) "$BIN/examples/loadgen" "$ADDR" "$CONNS" "$DURATION")
        memory=$(rss)
        stop_server
        extra=""
        if [[ $audit == on ]]; then extra=" audit_lines=$(wc -l < "$WORK/audit.jsonl")"; fi
        echo "$key audit=$audit: $result $memory$extra"
    done
done

echo "## signing executor (p256, no audit log, $((DURATION / 2)) s each)"
for executor in rayon blocking inline; do
    : > "$WORK/server.out"
    "$BIN/examples/serve" p256 "$executor" > "$WORK/server.out" 2> "$WORK/server.err" &
    SERVER_PID=$!
    for _ in $(seq 1 100); do [[ -s "$WORK/server.out" ]] && break; sleep 0.1; done
    ADDR=$(head -n1 "$WORK/server.out")
    result=$(timeout $((DURATION + 30)) "$BIN/examples/loadgen" "$ADDR" "$CONNS" $((DURATION / 2)))
    stop_server
    echo "executor=$executor: $result"
done
