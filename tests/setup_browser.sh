#!/bin/sh
# Install what the browser test of the HTML graph needs, when missing: Debian's `chromium`
# (headless) and a CJK font so the Chinese labels render (fonts-wqy-microhei, ~5 MB).
# Idempotent and quiet; needs root (or sudo) and access to the Debian archive. Without them it
# says so and exits 0: tests/test_viz.py then skips the browser test with that reason.
set -u
missing=""
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing="$missing chromium"
if [ -z "$(fc-list :lang=zh family 2>/dev/null)" ]; then
    missing="$missing fonts-wqy-microhei"
fi
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
    SUDO=""
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
else
    echo "setup_browser: cannot install$missing (not root, no sudo); the browser test will skip" >&2
    exit 0
fi
export DEBIAN_FRONTEND=noninteractive
log=$(mktemp)
if ! { $SUDO apt-get update -qq && \
       $SUDO apt-get install -y -qq --no-install-recommends $missing; } >"$log" 2>&1; then
    tail -n 5 "$log" >&2
    echo "setup_browser: apt-get could not install$missing; the browser test will skip" >&2
fi
rm -f "$log"
exit 0
