#!/usr/bin/env bash
# Install Debian's chromium for the HTML report's browser test (tests/report/test_browser.py),
# and fonts-noto-cjk so the Korean report's Hangul is drawn (tests/report/test_report_korean.py).
# Idempotent and quiet: does nothing when /usr/bin/chromium and a Korean font are already there.
# Needs root (or sudo) and apt; used by .ci/run before `make test`.
set -euo pipefail

if [ -x /usr/bin/chromium ] && [ -n "$(fc-list :lang=ko 2>/dev/null)" ]; then
    exit 0
fi

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: apt-get not found; install Chromium by hand (/usr/bin/chromium)" >&2
    exit 1
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-chromium: run as root or install sudo" >&2
        exit 1
    fi
fi

export DEBIAN_FRONTEND=noninteractive
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# apt's chatter goes to a log that is shown only when something fails.
if ! { $SUDO apt-get update -qq && $SUDO apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk; } \
        >"$log" 2>&1; then
    cat "$log" >&2
    echo "install-chromium: apt-get failed" >&2
    exit 1
fi
test -x /usr/bin/chromium
echo "install-chromium: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium installed')"
