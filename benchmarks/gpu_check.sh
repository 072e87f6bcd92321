#!/usr/bin/env bash
# The GPU checks of the engine, in one run on a machine with one CUDA GPU (about 10 minutes on an H100):
#   1. the CUDA tests (one step of every family under sync-debug "error", CUDA-graph replays equal to eager
#      steps, deterministic bit-exact resume with and without the graph, bf16/fp16 steps, data on the device),
#   2. the side-by-side throughput table at batch 64 (eager, one CUDA graph) and at batch 512,
#   3. the 60-second quality race: the plain loop, dcgan_fashion (train.compile) and gankit 0.1's recipe, FID,
#   4. torch.compile beside the CUDA graph at batch 64 (last: its compile time cannot cost the rest),
#   5. torchrun with one process on the GPU (NCCL) beside a plain process (benchmarks/ddp_speed.py),
#   6. StyleGAN2 beside dcgan_fashion, img/s eager and compiled, FID after 60 s; augmentation's cost (style_speed.py),
#   7. super-resolution (srresnet / srgan x4) beside dcgan_fashion, img/s eager and compiled (sr_speed.py),
#   8. the targets of the engine issue, met or missed (benchmarks/gpu_targets.py).
# Needs torch with CUDA, numpy, scipy, safetensors, pyyaml, matplotlib, pillow, scikit-learn, tqdm, pytest there;
# Fashion-MNIST comes in .gpu/fashion-mnist (`make gpu-pack` fills .gpu/; carry it along).
# Tables and JSON go to $OUT (or benchmarks/results).
set -uo pipefail
source "$(dirname "$0")/gpu_env.sh"
nvidia-smi -L
python -c "import torch; print('torch', torch.__version__, 'cuda', torch.version.cuda, torch.cuda.get_device_name(0))"

status=0
step() { echo; echo "== $1 ($(date +%T))"; shift; "$@" || { echo "FAILED (exit $?): $*"; status=1; }; }
step "CUDA tests" timeout 150 python -m pytest -q --tb=short -p no:cacheprovider -m cuda tests --junitxml="$out/cuda-tests.xml"
step "speed, batch 64: eager and one CUDA graph" timeout 90 python benchmarks/engine_race.py \
    --device cuda --width 64 --batch 64 --compile --compile-modes cudagraph --no-quality --out "$out/race-cuda-b64.json"
step "speed, batch 512" timeout 60 python benchmarks/engine_race.py --device cuda --width 64 --batch 512 \
    --steps 20 --compile --compile-modes cudagraph --no-quality --out "$out/race-cuda-b512.json"
step "quality race, 60 s each" timeout 240 python benchmarks/engine_race.py --device cuda --width 64 --compile \
    --minutes 1 --slice 5 --sync-every 25 --no-speed --out "$out/race-cuda-60s.json"
# Last, so that its compilation time cannot cost the tables above: torch.compile against the CUDA graph.
step "speed, batch 64: torch.compile" timeout 110 python benchmarks/engine_race.py --device cuda --width 64 \
    --batch 64 --compile --compile-modes cudagraph,default --rounds 3 --no-quality \
    --out "$out/race-cuda-b64-compile.json"
# Data-parallel training's GPU path: torchrun with one process (NCCL) beside a plain process, dcgan_fashion eager.
step "torchrun, 1 process, NCCL" timeout 150 python benchmarks/ddp_speed.py --device cuda --steps 500 \
    --out "$out/ddp-cuda.json"
# StyleGAN2 beside dcgan_fashion (eager and train.compile) and augmentation's cost, then FID after 60 s each.
step "StyleGAN2 and augmentation" timeout 300 python benchmarks/style_speed.py --device cuda --steps 30 \
    --seconds 60 --out "$out/style-cuda.json"
# Super-resolution beside dcgan_fashion: the PSNR model and the GAN phase, eager and compiled.
step "super-resolution" timeout 120 python benchmarks/sr_speed.py --device cuda --steps 30 --out "$out/sr-cuda.json"
step "targets" python benchmarks/gpu_targets.py "$out"
exit $status
