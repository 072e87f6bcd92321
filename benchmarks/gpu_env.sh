# Sourced by the GPU scripts: gankit from this tree, Fashion-MNIST and pytest from .gpu/ (`make gpu-pack`),
# the feature cache in the temporary folder, results under $OUT (or benchmarks/results) in $out.
cd "$(dirname "${BASH_SOURCE[0]}")/.."
out=${OUT:-benchmarks/results}
mkdir -p "$out"
export PYTHONPATH="$PWD:$PWD/benchmarks${PYTHONPATH:+:$PYTHONPATH}" PYTHONUNBUFFERED=1
[ -d .gpu/fashion-mnist ] && export GANKIT_FASHION_MNIST="$PWD/.gpu/fashion-mnist"
python -c "import pytest" 2>/dev/null || export PYTHONPATH="$PYTHONPATH:$PWD/.gpu/site"
export GANKIT_CACHE="${TMPDIR:-/tmp}/gankit-cache"
