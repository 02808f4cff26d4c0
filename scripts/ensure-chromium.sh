#!/usr/bin/env bash
# The page tests drive Debian's Chromium (browser downloads are not possible here).
# Install it when missing; fail loudly when it cannot be installed, never skip.
set -euo pipefail
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "installing Debian's chromium for the page tests..." >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  command -v chromium >/dev/null 2>&1 && exit 0
fi
echo "error: the page tests need Chromium: run 'sudo apt-get install chromium' (Debian/Ubuntu) and retry" >&2
exit 1
