"""The code the chapters of "Feature maps, by running them" share, laid out like the course.

What the first chapters teach, one module each:

- :mod:`~featuremaps.conv`: the seed's formula for one feature map, in NumPy (chapters 1–3);
- :mod:`~featuremaps.learning`: a filter found back from its maps by gradient descent (chapter 3);
- :mod:`~featuremaps.data`: Fashion-MNIST, the bundled subset (every chapter);
- :mod:`~featuremaps.model`: the course CNN, its training and the shipped weights (chapters 2–8);
- :mod:`~featuremaps.activations`: every layer's feature maps for a batch of images (chapters 2–7).

Then one folder per job:

- :mod:`featuremaps.depth`: what maps hold at each depth, measured (chapters 4–8);
- :mod:`featuremaps.pictures`: the course's figures, in one style (every chapter);
- :mod:`featuremaps.widget`: the activation browser, in the page or through the kernel (chapters 4–5);
- :mod:`featuremaps.grading`: the assignments, from authoring to grading a class;
- :mod:`featuremaps.support`: what learners never import: the runtime check, the set-up cell, the
  bundled files, the values glued into the book;
- ``bundled/``: the files the package carries (data subset, model weights, the assignments'
  generated public tests).
"""

from featuremaps.support import runtime

# Before anything imports TensorFlow (chapters import this package first): quiet its start-up
# logging, then check this Python has what the course needs, with one message if not.
runtime.quiet_tensorflow()
runtime.check()

__version__ = "0.2.0"
