#!/usr/bin/env bash
# The production topology on this machine: nginx, two gunicorn app hosts, two huey workers on
# their own Redis, PostgreSQL with a replica alias, media in an S3-compatible bucket (moto).
# `deploy/prod-local.sh` runs it until Ctrl-C; `start`, `stop`, `status` and the per-service
# commands are in deploy/prod_local.py. nginx is installed from Debian when missing.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/sbin:/sbin"
if ! command -v nginx >/dev/null 2>&1; then
  SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends nginx >/dev/null
fi
if ! command -v redis-server >/dev/null 2>&1; then
  SUDO=$( [ "$(id -u)" -eq 0 ] || echo sudo )
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends redis-server >/dev/null
fi
exec .venv/bin/python deploy/prod_local.py "$@"
