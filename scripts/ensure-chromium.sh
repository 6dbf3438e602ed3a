#!/usr/bin/env bash
# The preview page's browser test drives Debian's chromium through Playwright (Playwright's
# own browser download cannot work offline). Install it when missing and we may; else say how.
set -euo pipefail
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
else
  echo "The browser test needs /usr/bin/chromium: run 'sudo apt-get install -y chromium'." >&2
  exit 1
fi
