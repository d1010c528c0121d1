#!/usr/bin/env bash
# Creates the virtual environment .venv/ with the system's python3 and installs the generator
# into it from the lock (exact versions, hash-checked).
# Usage: bash scripts/install.sh [LOCK]   LOCK defaults to requirements/run.txt;
# scripts/test.sh passes requirements/test.txt (the same versions plus the test tools).
# Set PYTHON to use another interpreter than python3.
set -euo pipefail
cd "$(dirname "$0")/.."
lock=${1:-requirements/run.txt}
python=${PYTHON:-python3}

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

if ! .venv/bin/python -m pip --version >/dev/null 2>&1; then
  rm -rf .venv
  if ! "$python" -m venv .venv >/dev/null 2>&1; then
    # Debian and Ubuntu ship venv's pip bootstrap (ensurepip) as a separate package.
    rm -rf .venv
    echo "install.sh: $python -m venv needs python3-venv; installing it with apt-get" >&2
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv
    "$python" -m venv .venv
  fi
fi

pip=(.venv/bin/python -m pip --disable-pip-version-check --quiet)
"${pip[@]}" install --require-hashes -r "$lock"
"${pip[@]}" install --no-deps --no-build-isolation -e .
echo "install.sh: installed from $lock into .venv/ (run: . .venv/bin/activate, or .venv/bin/kelurahan)" >&2
