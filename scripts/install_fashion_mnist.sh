#!/usr/bin/env bash
# Install Fashion-MNIST through Debian's dataset-fashion-mnist package when apt and root are there.
# Never fails: without it, gankit falls back to scikit-learn's digits and says so.
dir=/usr/share/datasets/fashion-mnist
if [ -f "$dir/train-images-idx3-ubyte.gz" ]; then
    exit 0
fi
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Fashion-MNIST (Debian package dataset-fashion-mnist)..."
    if { apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist; } >/dev/null 2>&1; then
        echo "Fashion-MNIST installed in $dir."
        exit 0
    fi
    echo "Could not install dataset-fashion-mnist with apt-get; using the built-in digits instead."
else
    echo "Fashion-MNIST is absent and apt-get (as root) is not available; using the built-in digits instead."
    echo "To use it, install Debian's dataset-fashion-mnist or pass --set data.path=FOLDER_WITH_IDX_FILES."
fi
exit 0
