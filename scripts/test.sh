#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian machine, then runs it.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v java >/dev/null 2>&1 || need_apt+=(default-jre-headless)  # the Nu HTML Checker (vnu.jar)
# Publishing is tested against real servers: OpenSSH's sshd (and ssh-keygen) and nginx; the studio
# behind nginx too (the README's reverse-proxy example).
PATH="$PATH:/usr/sbin" command -v sshd >/dev/null 2>&1 || need_apt+=(openssh-server)
command -v ssh-keygen >/dev/null 2>&1 || need_apt+=(openssh-client)
PATH="$PATH:/usr/sbin" command -v nginx >/dev/null 2>&1 || need_apt+=(nginx-light)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then apt_get=(apt-get); else apt_get=(sudo apt-get); fi
  "${apt_get[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${need_apt[@]}"
fi

python3 -m pip install --quiet --disable-pip-version-check -e '.[test]'
python3 -m ruff check generator tests bench
python3 -m mypy
python3 -m pytest -q "$@"
