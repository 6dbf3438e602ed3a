#!/usr/bin/env bash
# System tools some tests drive, from Debian's packages (no downloads outside the registries):
#   chromium        the preview page's browser test (Playwright drives it; no browser download)
#   docker-compose  parse-only validation of docker-compose.yml (no Docker engine needed)
#   a Java runtime  the population command's Spark engine test (PySpark runs Spark on the JVM)
# and, given the virtual environment's python as $1, PySpark itself (the `spark` extra, PyPI).
# Installs what is missing when we may (root with apt), else says how and fails.
set -euo pipefail
if [ $# -ge 1 ] && ! "$1" -c 'import pyspark' 2>/dev/null; then
  "$1" -m pip install -q --disable-pip-version-check -e "$(dirname "$0")/..[spark]"
fi
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
command -v docker-compose >/dev/null || docker compose version >/dev/null 2>&1 || missing+=(docker-compose)
command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "Tests need: ${missing[*]}. Install them: sudo apt-get install -y ${missing[*]}" >&2
  exit 1
fi
