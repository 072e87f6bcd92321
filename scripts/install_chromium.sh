#!/usr/bin/env bash
# Install a headless browser (Debian's chromium) when apt and root are there: the test that renders
# `gankit report`'s page in a real browser uses it, and is skipped without it. Never fails.
if command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium (Debian package chromium) for the report's browser test..."
    if { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; } >/dev/null 2>&1; then
        echo "Chromium installed."
        exit 0
    fi
    echo "Could not install chromium with apt-get; the browser test of gankit report will be skipped."
else
    echo "Chromium is absent and apt-get (as root) is not available; the browser test of gankit report will be skipped."
fi
exit 0
