# gankit: `make demo` trains the default recipe, `make test` runs the test suite.
# Both set up .venv first: torch pinned to the local CPU wheel (override with
# TORCH_SPEC="torch==X.Y.Z" for a GPU build), then gankit and its dependencies.

PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
OUT        ?= runs
RACE_MINUTES ?= 5
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.gankit-installed
FASHION    := /usr/share/datasets/fashion-mnist

.PHONY: setup data browser demo test test-fast bench bench-race bench-race-augment gpu-pack clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[test,tensorboard]"
	touch $(STAMP)

setup: $(STAMP)

data:
	@bash scripts/install_fashion_mnist.sh
	@bash scripts/install_wordnet.sh

# A headless browser for the test that renders gankit report's page (skipped without it).
browser:
	@bash scripts/install_chromium.sh

demo: setup data
	@if [ -d $(FASHION) ]; then recipe=dcgan_fashion; \
	else echo "Fashion-MNIST is not installed: training on scikit-learn's 8x8 digits instead."; recipe=dcgan_digits; fi; \
	$(BIN)/gankit train $$recipe --out $(OUT)

test: setup browser
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup data
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/engine_race.py --minutes $(RACE_MINUTES)
	$(BIN)/python benchmarks/text_speed.py
	$(BIN)/python benchmarks/ddp_speed.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/style_speed.py
	$(BIN)/python benchmarks/sr_speed.py
	@if $(BIN)/python -c "import torch, sys; sys.exit(not torch.cuda.is_available())"; then \
	    $(BIN)/python benchmarks/engine_race.py --device cuda --width 64 --compile --minutes 1; fi

# The side-by-side race alone: speed against the plain loop, then FID after RACE_MINUTES each.
bench-race: setup data
	$(BIN)/python benchmarks/engine_race.py --minutes $(RACE_MINUTES)

# dcgan_fashion against itself with augmentation or bCR, RACE_MINUTES each, in interleaved slices.
bench-race-augment: setup data
	$(BIN)/python benchmarks/engine_race.py --no-speed --minutes $(RACE_MINUTES) \
	    --variant DiffAugment=train.augment=diffaug --variant ADA=train.augment=ada --variant bCR=loss.bcr_weight=10

# What benchmarks/gpu_check.sh needs on a GPU machine that cannot download: pytest and Fashion-MNIST.
gpu-pack: setup data
	rm -rf .gpu && mkdir -p .gpu/site
	$(BIN)/pip install -q --no-deps --target .gpu/site pytest iniconfig pluggy packaging
	cp -r $(FASHION) .gpu/fashion-mnist

clean:
	rm -rf $(VENV) build *.egg-info
