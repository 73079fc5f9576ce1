# `make demo` and `make test` each build .venv first on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp

.PHONY: test demo lint bench generated clean

# The last step unpacks the real ansible.windows collection the Ansible export's tests use (from
# the pinned PyPI bundle, tests/support/ansible-bundle.txt) once, before the test workers start.
$(STAMP): pyproject.toml constraints.txt tests/support/ansible-bundle.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	$(BIN)/python -m tests.support.ansible_windows
	touch $(STAMP)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# Tests run in parallel (pytest-xdist): JOBS=auto starts four workers per core, since most tests
# wait on the simulated target rather than compute (tests/conftest.py says why); each worker
# takes the next test as it frees up (worksteal), so a long test cannot hold up a queue. JOBS=0
# runs them in pytest's own process.
# The run writes Python's bytecode caches even where PYTHONDONTWRITEBYTECODE is set: otherwise
# every worker compiles the sources and rewrites every test module's asserts again, and so does
# each `mimsetup` process a test starts (about 5 s of CPU a worker). They are written once,
# before the workers start (compileall, then a collection), since eight workers starting at once
# would each write them (the run itself reports any collection error). __pycache__ is ignored by
# git.
JOBS ?= auto
test: export PYTHONDONTWRITEBYTECODE :=
test: lint
	$(BIN)/python -m compileall -q -j 0 tui screens > /dev/null
	$(BIN)/pytest -q --collect-only > /dev/null || true
	$(BIN)/pytest -q -n $(JOBS) --dist worksteal

# `make demo SCENARIO=install-fails` runs another scenario; the name reaches mimsetup through the
# environment, never through the recipe's shell text.
demo: export MIMSETUP_MAKE_SCENARIO := $(SCENARIO)
demo: $(STAMP)
	$(BIN)/mimsetup demo $(if $(SCENARIO),--scenario "$$MIMSETUP_MAKE_SCENARIO")

bench: $(STAMP)
	for b in tests/bench/bench_*.py; do $(BIN)/python $$b || exit 1; done

# Files derived from the model (tests fail while they are stale).
generated: $(STAMP)
	$(BIN)/python -m tui schema -o answers/mimsetup.schema.json --force
	$(BIN)/python -m tui.model.docs --write README.md
	$(BIN)/python -m tui.model.compiler --write

clean:
	rm -rf $(VENV) build *.egg-info
