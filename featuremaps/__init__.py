"""The code the chapters of "Feature maps, by running them" share."""

from featuremaps import runtime

# Before anything imports TensorFlow (chapters import this package first): quiet its start-up
# logging, then check this Python has what the course needs, with one message if not.
runtime.quiet_tensorflow()
runtime.check()

__version__ = "0.2.0"
