#!/usr/bin/env bash
# Runs the whole test suite from a fresh machine: system packages, then every module's tests.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec ./mvnw -B -ntp verify "$@"
