#!/usr/bin/env bash
# Debian packages the report tests need (test/reports/running.integration.test.ts runs the lint,
# pytest and scan actions with Debian's own tools). Fresh Debian 12, as root; safe to run again.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
packages=(mypy python3-pytest python3-pytest-cov bandit)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-tools: ${packages[*]} already installed"
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-tools: run as root to install: ${missing[*]}" >&2
  exit 1
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-tools: installed ${missing[*]}"
