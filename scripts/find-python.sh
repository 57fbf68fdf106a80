#!/usr/bin/env bash
# Print the absolute path of a Python >= 3.12 that actually runs.
#
# Tried in order: $PYTHON, python3.13 / python3.12 / python3 on PATH, pyenv's
# versions (under $PYENV_ROOT or ~/.pyenv), `uv python find`, and finally
# `uv python install 3.12` (needs internet access). Each candidate is run, so a
# pyenv shim for a version that is not active is skipped. Exit 1 with advice on
# stderr when nothing fits.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Print the interpreter's real path when $1 runs and is >= 3.12.
check() {
    "$1" -c 'import sys; assert sys.version_info >= (3, 12); print(sys.executable)' \
        2>/dev/null </dev/null
}

# Try each argument in turn; stop the script at the first that fits.
try() {
    local cand found
    for cand in "$@"; do
        [ -n "$cand" ] || continue
        if found="$(check "$cand")" && [ -n "$found" ]; then
            printf '%s\n' "$found"
            exit 0
        fi
    done
}

if [ -n "${PYTHON:-}" ]; then
    try "$PYTHON"
    echo "find-python: PYTHON=$PYTHON is not a working Python >= 3.12; looking elsewhere" >&2
fi

for name in python3.13 python3.12 python3; do
    if command -v "$name" >/dev/null 2>&1; then
        try "$(command -v "$name")"
    fi
done

# pyenv installs, whether or not pyenv's shims are on PATH.
shopt -s nullglob
for root in "${PYENV_ROOT:-}" "$HOME/.pyenv"; do
    [ -n "$root" ] || continue
    try "$root"/versions/3.1[2-9]*/bin/python
done
shopt -u nullglob

# uv: on PATH or the copy scripts/bootstrap.sh puts under .tools/.
uv=""
if command -v uv >/dev/null 2>&1; then
    uv="$(command -v uv)"
elif [ -x "$repo_root/.tools/uv/bin/uv" ]; then
    uv="$repo_root/.tools/uv/bin/uv"
fi
if [ -n "$uv" ]; then
    try "$("$uv" python find '>=3.12' 2>/dev/null || true)"
    # Downloads a managed CPython; fails quickly when offline.
    if timeout 300 "$uv" python install 3.12 >/dev/null 2>&1; then
        try "$("$uv" python find '>=3.12' 2>/dev/null || true)"
    fi
fi

cat >&2 <<'EOF'
find-python: no Python 3.12 or newer was found.
  Install Python 3.12+ (your distribution's package, `pyenv install 3.12`, or
  `uv python install 3.12`), or point to one with PYTHON=/path/to/python3.12.
EOF
exit 1
