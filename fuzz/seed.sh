#!/usr/bin/env bash
# Build the seed corpora for every fuzz target from ../../shared/testdata, at run time.
#
# The third-party test data is never copied into the repository (its licences and
# provenance live with it); this script derives fuzz seeds from it into fuzz/seeds/<target>/
# (git-ignored). Every seed file is named by the SHA-1 of its content, the naming libFuzzer
# uses for corpus entries, so `minimize.sh` can drop committed corpus entries that are
# byte-identical to a seed (i.e. to a shared test-data file or a value decoded from one).
#
# Usage: fuzz/seed.sh [TESTDATA_DIR]   (default: ../../shared/testdata relative to this file)
# Needs: bash, find, sha1sum, jq, base64, openssl (PEM -> DER).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
testdata="${1:-$here/../../shared/testdata}"
testdata="$(cd "$testdata" && pwd)"
seeds="$here/seeds"
# Seeds above the fuzzers' -max_len would be truncated by libFuzzer anyway.
max_len=65536

for tool in jq sha1sum base64 openssl; do
    command -v "$tool" >/dev/null || { echo "seed.sh: $tool is required" >&2; exit 1; }
done

rm -rf "$seeds"
targets=(tsp_response tsp_token tsp_request ber_normalise tsp_verify bundle_json dsse_statement tsp_issue)
for t in "${targets[@]}"; do mkdir -p "$seeds/$t"; done

# add TARGET... < bytes: store stdin under its SHA-1 in each target's seed dir.
add() {
    local tmp sum
    tmp="$(mktemp)"
    cat >"$tmp"
    if [[ -s "$tmp" && $(stat -c %s "$tmp") -le $max_len ]]; then
        sum="$(sha1sum "$tmp" | cut -d' ' -f1)"
        for t in "$@"; do cp "$tmp" "$seeds/$t/$sum"; done
    fi
    rm -f "$tmp"
}

tsp_dirs=("$testdata/tsp-corpus" "$testdata/tsa-fixtures" "$testdata/openssl-tsa")

# 1. Binary ASN.1 files (first byte 0x30 = SEQUENCE): responses, tokens, requests, certs.
while IFS= read -r -d '' f; do
    [[ "$(head -c1 "$f" | od -An -tx1 | tr -d ' ')" == "30" ]] || continue
    case "$f" in
        *.tsq) add tsp_request tsp_issue ber_normalise tsp_response <"$f" ;;
        *) add tsp_response tsp_token tsp_verify ber_normalise <"$f" ;;
    esac
done < <(find "${tsp_dirs[@]}" -type f -print0)

# 2. PEM blocks (certificates, tokens) decoded to DER: more ASN.1 shapes for the parsers.
while IFS= read -r -d '' f; do
    grep -q -- '-----BEGIN CERTIFICATE-----' "$f" 2>/dev/null || continue
    openssl x509 -in "$f" -outform DER 2>/dev/null | add ber_normalise tsp_token || true
done < <(find "${tsp_dirs[@]}" -type f \( -name '*.pem' -o -name '*.crt' -o -name '*.cer' \) -print0)

# 3. Sigstore / OMS bundles: the JSON itself, the RFC 3161 timestamps and DSSE payloads in it.
bundle_dirs=("$testdata/model-signing-1.1.1/bundles" "$testdata/oms-spec-vectors" "$testdata/tsa-fixtures")
while IFS= read -r -d '' f; do
    jq -e 'type == "object" and has("mediaType")' "$f" >/dev/null 2>&1 || continue
    add bundle_json <"$f"
    while IFS= read -r ts; do
        [[ -n "$ts" ]] && printf '%s' "$ts" | base64 -d 2>/dev/null | add tsp_response tsp_token tsp_verify ber_normalise
    done < <(jq -r '.verificationMaterial.timestampVerificationData.rfc3161Timestamps[]?.signedTimestamp // empty' "$f")
    payload="$(jq -r '.dsseEnvelope.payload // empty' "$f")"
    [[ -n "$payload" ]] && printf '%s' "$payload" | base64 -d 2>/dev/null | add dsse_statement
done < <(find "${bundle_dirs[@]}" -type f \( -name '*.json' -o -name '*.sig' \) -print0)

# 4. in-toto statements as written by model_signing 1.1.1 and the OMS spec vectors.
while IFS= read -r -d '' f; do
    jq -e '.["_type"]? // empty' "$f" >/dev/null 2>&1 && add dsse_statement <"$f"
done < <(find "$testdata/model-signing-1.1.1/statements" "$testdata/oms-spec-vectors" -type f -name '*.json' -print0)

# 5. tsp_issue answers requests: besides the .tsq files above, the committed tsp_request
#    corpus and regression inputs (fuzzer-made requests, already named by their SHA-1).
for d in "$here/corpus/tsp_request" "$here/regressions/tsp_request"; do
    [[ -d "$d" ]] || continue
    while IFS= read -r -d '' f; do add tsp_issue <"$f"; done < <(find "$d" -type f -print0)
done

for t in "${targets[@]}"; do
    printf '%-16s %4d seeds\n' "$t" "$(find "$seeds/$t" -type f | wc -l)"
done
