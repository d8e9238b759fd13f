# The few verbs a newcomer needs; each is a script in scripts/ or bench/.
.PHONY: run test lint bench bench-smoke screenshot engine dist

run:            ## open the launcher on sample_apps/hello (sets everything up)
	bash scripts/run.sh

test:           ## everything CI runs
	bash scripts/test.sh

lint:           ## ruff, import contracts, mypy
	bash scripts/bootstrap.sh
	.venv/bin/ruff check .
	.venv/bin/lint-imports --no-cache
	.venv/bin/mypy

bench:          ## the benchmarks; writes bench/out/ (see bench/RESULTS.md)
	bash bench/run.sh

bench-smoke:    ## one quick pass of every benchmark (CI runs this through the tests)
	bash bench/run.sh --smoke

screenshot:     ## retake docs/screenshot.png under Xvfb
	bash scripts/screenshot.sh

engine:         ## make sure a Docker engine answers (starts dockerd on Debian as root)
	bash scripts/bootstrap.sh
	.venv/bin/python scripts/docker_engine.py ensure

dist:           ## the sdist and wheel in dist/ (pipx install dist/flask_launcher-*.whl)
	bash scripts/bootstrap.sh
	.venv/bin/python -m build --outdir dist
