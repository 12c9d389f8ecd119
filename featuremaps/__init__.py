"""The code the chapters of "Feature maps, by running them" share."""

import os

# Quiet TensorFlow's start-up logging before anything imports it (chapters import this package first).
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
os.environ.setdefault("KERAS_BACKEND", "tensorflow")

__version__ = "0.1.0"
