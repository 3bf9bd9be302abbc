#!/bin/sh
# Makes sure Debian's chromium is installed and starts headless, for
# test/matrix-screenshot.test.ts. Idempotent; prints one line saying what it did.
#
#   sh test/ensure-chromium.sh
#
# --no-install-recommends is enough: the package's own dependencies carry what headless
# rendering needs, and a font comes with fonts-dejavu-core (installed explicitly, as the
# recommends that would bring fonts are left out).
set -eu

SUDO=''
if [ "$(id -u)" -ne 0 ]; then SUDO='sudo'; fi
export DEBIAN_FRONTEND=noninteractive

installed() {
  dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'
}

# Starts it headless, on about:blank only (no network, no profile of the user's).
starts_headless() {
  profile=$(mktemp -d)
  ok=1
  if timeout 60 chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --host-resolver-rules='MAP * ~NOTFOUND' --user-data-dir="$profile" \
      --dump-dom about:blank 2>/dev/null | grep -q '<body>'; then
    ok=0
  fi
  rm -rf "$profile"
  return $ok
}

if command -v chromium >/dev/null 2>&1; then
  what="chromium already on PATH ($(command -v chromium)), nothing installed"
else
  if installed chromium && installed fonts-dejavu-core; then
    what='chromium package already installed'
  else
    log=$(mktemp)
    # apt's chatter (debconf notes included) is shown only if it fails.
    if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-dejavu-core; } >"$log" 2>&1; then
      cat "$log" >&2
      rm -f "$log"
      echo 'ensure-chromium: apt-get could not install chromium' >&2
      exit 1
    fi
    rm -f "$log"
    what='installed chromium with apt-get'
  fi
  if ! command -v chromium >/dev/null 2>&1; then
    echo "ensure-chromium: $what, but chromium is not on PATH ($PATH)" >&2
    exit 1
  fi
fi

version=$(chromium --version 2>/dev/null | head -n 1)
if ! starts_headless; then
  echo "ensure-chromium: $what, but ${version:-chromium} does not start headless" >&2
  exit 1
fi
echo "ensure-chromium: $what; ${version:-chromium} starts headless"
