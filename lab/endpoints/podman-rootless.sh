#!/usr/bin/env bash
# lab endpoint podman-rootless: lab/endpoints/podman-rootless.sh up|down|status (called by lab/up.sh, down.sh, status.sh).
# up: idempotent; on failure, exit non-zero with one line on stderr saying why.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
case "${1:-}" in
  up) die "not built yet" ;;
  down) : ;;
  status) echo "not built yet" ;;
  *) die "usage: $0 up|down|status" ;;
esac
