#!/usr/bin/env bash
# The sample pictures of the family pages in docs/: each recipe trained as it is (its own steps), its last
# progress grid copied to docs/img/RECIPE.png. About 7 minutes on 2 CPU cores (measured 2026-12-06). Usage: bash scripts/doc_pictures.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
mkdir -p docs/img
for recipe in dcgan_fashion cdcgan_fashion pix2pix_edges2fashion; do
    run=$(.venv/bin/gankit train "$recipe" --out "$out" --set train.progress=false | tail -1)
    cp "$(ls "$run"/samples/step-*.png | tail -1)" "docs/img/$recipe.png"
    echo "docs/img/$recipe.png from $run"
done
rm -rf "$out"
