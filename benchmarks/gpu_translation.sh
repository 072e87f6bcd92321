#!/usr/bin/env bash
# The translation families on one CUDA GPU: each built-in recipe trained for $SECONDS_EACH s (default 45) with
# train.compile (one CUDA graph per step where the step allows one), then scored on its test split.
# Run beside benchmarks/gpu_check.sh on a GPU machine; needs Fashion-MNIST in .gpu/fashion-mnist (`make gpu-pack`).
set -uo pipefail
source "$(dirname "$0")/gpu_env.sh"
minutes=$(python -c "print(${SECONDS_EACH:-45} / 60)")
status=0
for recipe in pix2pix_edges2fashion cyclegan_sandal2sneaker stargan_footwear; do
    echo; echo "== $recipe, ${SECONDS_EACH:-45} s on the GPU ($(date +%T))"
    # the recipe's step budget is raised so that the time limit decides
    run=$(timeout 240 python -m gankit train $recipe --out "${TMPDIR:-/tmp}/gpu-runs" --set train.device=cuda \
          train.compile=true train.minutes=$minutes train.steps=1000000 train.progress=false | tail -1) \
        || { echo "FAILED: $recipe"; status=1; continue; }
    tail -1 "$run/stats.jsonl" | cut -c1-120
    timeout 120 python -m gankit eval "$run" --n 2000 --device cuda | tee "$out/eval-$recipe.txt" || status=1
done
exit $status
