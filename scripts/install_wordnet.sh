#!/usr/bin/env bash
# Install WordNet's data files through Debian's wordnet-base package when apt and root are there: their
# glosses hold about 48,000 example sentences, gankit's built-in real text (data.name=wordnet).
# Never fails: without it, data.name=wordnet says how to install it; the other text data still work.
if [ -f /usr/share/wordnet/data.noun ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing WordNet (Debian package wordnet-base)..."
    if { apt-get update -qq && apt-get install -y -qq wordnet-base; } >/dev/null 2>&1; then
        echo "WordNet installed in /usr/share/wordnet."
        exit 0
    fi
    echo "Could not install wordnet-base with apt-get; data.name=wordnet is unavailable."
else
    echo "WordNet is absent and apt-get (as root) is not available; install Debian's wordnet-base for data.name=wordnet."
fi
exit 0
