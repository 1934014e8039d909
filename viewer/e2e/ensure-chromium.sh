#!/usr/bin/env bash
# Installs Debian's chromium for the explorer's end-to-end tests, once; does nothing when present.
# playwright-core drives it (its own browser download cannot be used on these machines).
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "chromium is needed for the explorer's end-to-end tests: run 'sudo apt-get install chromium' (Debian)" >&2
  exit 1
fi
echo "installing Debian's chromium for the end-to-end tests"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core >/dev/null
chromium --version
