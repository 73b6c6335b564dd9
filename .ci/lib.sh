# Shared helpers for the .ci/ scripts. Sourced, not executed.
# shellcheck shell=bash

# Repository root = parent of this .ci/ directory, whatever the caller's cwd.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export REPO_ROOT
# The Python venv holding model_signing 1.1.1; the interop tests read the same variable.
export MODELSIGN_PYTHON_VENV="${MODELSIGN_PYTHON_VENV:-$REPO_ROOT/.venv}"

_ci_section_name=""
_ci_section_start=0
_ci_run_start=${_ci_run_start:-$SECONDS}

# section "title": closes the previous section (printing its duration) and opens a new one.
section() {
    section_end
    _ci_section_name="$1"
    _ci_section_start=$SECONDS
    printf '\n==== %s ====\n' "$_ci_section_name"
}

section_end() {
    if [[ -n "$_ci_section_name" ]]; then
        printf -- '---- %s: done in %ss (disk free: %s)\n' "$_ci_section_name" \
            "$((SECONDS - _ci_section_start))" "$(disk_free)"
        _ci_section_name=""
    fi
}

# Free space on the file system holding the build, e.g. "41G" ("?" if df cannot tell).
disk_free() {
    df -Ph "${CARGO_TARGET_DIR:-$REPO_ROOT}" 2>/dev/null | awk 'NR == 2 { print $4 }' || echo '?'
}

note() { printf '  %s\n' "$*"; }

die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

# Report where a failure happened: `set -e` alone exits silently.
_ci_on_err() {
    local rc=$?
    printf '\nFAILED (exit %s) in section "%s" after %ss total\n' \
        "$rc" "${_ci_section_name:-$(basename "$0")}" "$((SECONDS - _ci_run_start))" >&2
}
set -o errtrace
trap _ci_on_err ERR
