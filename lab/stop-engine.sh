#!/usr/bin/env bash
# Stops one lab engine (docker or podman) that lab/up.sh started, for fault tests; `lab up` starts it again.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lab/lib.sh
. "$here/lib.sh"
name=${1:?usage: stop-engine.sh docker|podman}
pidfile="$LAB_RUN/$name.pid"
alive "$pidfile" || die "$name was not started by lab/up.sh"
pid=$(cat "$pidfile")
kill -TERM "$pid"
deadline=$((SECONDS + 30))
while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.2; done
kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
rm -f "$pidfile"
say "stopped $name"
