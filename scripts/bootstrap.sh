#!/usr/bin/env bash
# Set up everything MarketDesk needs to run from this checkout:
#   1. a Python >= 3.12 (scripts/find-python.sh) and uv (on PATH, or .tools/uv/);
#   2. .venv/ from uv.lock (`uv sync --frozen`);
#   3. node_modules/ from package-lock.json (`npm ci`), copied into
#      src/marketdesk/core/static/vendor/.
# Usage: scripts/bootstrap.sh [--dev]     (TEST=1 in the environment = --dev)
#   --dev  also install the "dev" dependency group (pytest, playwright, ruff, ...)
#          and remove packages the lock file does not list. Without it only the
#          runtime dependencies are installed, and nothing is removed.
# Steps that are already up to date are skipped, so a second run is fast.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo_root"

dev=0
[ "${TEST:-0}" = 1 ] && dev=1
for arg in "$@"; do
    case "$arg" in
        --dev) dev=1 ;;
        *) echo "bootstrap: unknown argument: $arg (usage: $0 [--dev])" >&2; exit 2 ;;
    esac
done

# --- Python and uv ----------------------------------------------------------
python="$(bash scripts/find-python.sh)"

if command -v uv >/dev/null 2>&1; then
    uv="$(command -v uv)"
else
    uv="$repo_root/.tools/uv/bin/uv"
    # (Re)create the private uv when missing or broken (e.g. its Python is gone).
    if ! "$uv" --version >/dev/null 2>&1; then
        echo "== Installing uv into .tools/uv (with $python) =="
        rm -rf .tools/uv
        "$python" -m venv .tools/uv
        .tools/uv/bin/python -m pip install --quiet --disable-pip-version-check uv
    fi
fi

# --- Python dependencies ----------------------------------------------------
if [ "$dev" = 1 ]; then
    groups=(--group dev)
else
    # Runtime only; --inexact keeps dev tools a previous `--dev` run installed.
    groups=(--no-dev --inexact)
fi
echo "== Python dependencies (.venv, $("$python" -c 'import platform; print(platform.python_version())')) =="
UV_PYTHON="$python" UV_PROJECT_ENVIRONMENT="$repo_root/.venv" UV_COMPILE_BYTECODE=1 \
    "$uv" sync --frozen --quiet "${groups[@]}"

# --- Front-end files --------------------------------------------------------
if ! command -v npm >/dev/null 2>&1; then
    bash scripts/ensure-debs.sh nodejs npm
fi
if [ ! -f node_modules/.package-lock.json ] \
    || [ package-lock.json -nt node_modules/.package-lock.json ]; then
    echo "== Front-end packages (npm ci) =="
    npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
    touch node_modules/.package-lock.json
fi

vendor=src/marketdesk/core/static/vendor
# Copy $1 to $2 unless $2 already has the same content. (Files from npm all
# carry the same old mtime, so compare content, not dates.)
copy() {
    if ! cmp -s "$1" "$2"; then
        mkdir -p "$(dirname "$2")"
        cp "$1" "$2"
        echo "   $2"
    fi
}
copy node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx/htmx.min.js"
copy node_modules/echarts/dist/echarts.min.js "$vendor/echarts/echarts.min.js"
# The .map files are copied too: the CSS/JS name them, and Django's manifest
# storage (collectstatic in production) fails on a reference it cannot find.
for f in bootstrap.min.css bootstrap.min.css.map; do
    copy "node_modules/bootstrap/dist/css/$f" "$vendor/bootstrap/$f"
done
for f in bootstrap.bundle.min.js bootstrap.bundle.min.js.map; do
    copy "node_modules/bootstrap/dist/js/$f" "$vendor/bootstrap/$f"
done
# bootstrap-icons.min.css loads its fonts from ./fonts/.
copy node_modules/bootstrap-icons/font/bootstrap-icons.min.css \
    "$vendor/bootstrap-icons/bootstrap-icons.min.css"
for f in node_modules/bootstrap-icons/font/fonts/*; do
    copy "$f" "$vendor/bootstrap-icons/fonts/$(basename "$f")"
done
echo "== Bootstrap done =="
