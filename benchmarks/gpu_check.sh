#!/usr/bin/env bash
# The GPU checks of the engine, in one run on a machine with one CUDA GPU (under 8 minutes on an H100):
#   1. the CUDA tests (one step of every family under sync-debug "error", deterministic bit-exact resume,
#      data on the device),
#   2. the side-by-side throughput table at batch 64 (eager and train.compile) and at batch 512,
#   3. the 60-second quality race: the plain loop, dcgan_fashion and gankit 0.1's dcgan_fashion, FID.
# Needs torch with CUDA, numpy, scipy, safetensors, pyyaml, matplotlib, pillow, scikit-learn, tqdm there;
# pytest and Fashion-MNIST come in .gpu/ (`make gpu-pack` fills it; carry it along).
# Tables and JSON go to $OUT (or benchmarks/results).
set -uo pipefail
cd "$(dirname "$0")/.."
out=${OUT:-benchmarks/results}
mkdir -p "$out"
export PYTHONPATH="$PWD:$PWD/benchmarks${PYTHONPATH:+:$PYTHONPATH}"
[ -d .gpu/fashion-mnist ] && export GANKIT_FASHION_MNIST="$PWD/.gpu/fashion-mnist"
[ -d .gpu/site ] && export PYTHONPATH="$PYTHONPATH:$PWD/.gpu/site"
export GANKIT_CACHE="${TMPDIR:-/tmp}/gankit-cache"
nvidia-smi -L
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"

status=0
step() { echo; echo "== $1 ($(date +%T))"; shift; "$@" || { echo "FAILED (exit $?): $*"; status=1; }; }
step "CUDA tests" timeout 150 python -m pytest -q -p no:cacheprovider -m cuda tests
step "speed, batch 64, eager and compiled" timeout 150 python benchmarks/engine_race.py --device cuda \
    --width 64 --batch 64 --compile --no-quality --out "$out/race-cuda-b64.json"
step "speed, batch 512" timeout 60 python benchmarks/engine_race.py --device cuda --width 64 --batch 512 \
    --steps 20 --no-quality --out "$out/race-cuda-b512.json"
step "quality race, 60 s each" timeout 240 python benchmarks/engine_race.py --device cuda --width 64 \
    --minutes 1 --slice 5 --sync-every 25 --no-speed --out "$out/race-cuda-60s.json"
exit $status
