# gankit: `make demo` trains the default recipe, `make test` runs the test suite.
# Both set up .venv first: torch pinned to the local CPU wheel (override with
# TORCH_SPEC="torch==X.Y.Z" for a GPU build), then gankit and its dependencies.

PYTHON     ?= python3
VENV       ?= .venv
TORCH_SPEC ?= torch==2.13.0
OUT        ?= runs
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.gankit-installed
FASHION    := /usr/share/datasets/fashion-mnist

.PHONY: setup data demo test test-fast bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q "$(TORCH_SPEC)"
	$(BIN)/pip install -q -e ".[test,tensorboard]"
	touch $(STAMP)

setup: $(STAMP)

data:
	@bash scripts/install_fashion_mnist.sh

demo: setup data
	@if [ -d $(FASHION) ]; then recipe=dcgan_fashion; \
	else echo "Fashion-MNIST is not installed: training on scikit-learn's 8x8 digits instead."; recipe=dcgan_digits; fi; \
	$(BIN)/gankit train $$recipe --out $(OUT)

test: setup
	$(BIN)/python -m pytest -q

test-fast: setup
	$(BIN)/python -m pytest -q -m "not slow"

bench: setup data
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf $(VENV) build *.egg-info
