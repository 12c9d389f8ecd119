"""The activation browser: a widget that shows every map of every layer, on the page or in a kernel.

- :mod:`~featuremaps.widget.browser`: the widget's Python side, ``browse`` (chapters 4–5);
- :mod:`~featuremaps.widget.export`: a Keras model as plain data for the page's forward pass (chapter 4);
- :mod:`~featuremaps.widget.colour_example`: a second, colour model to browse (chapter 4);
- ``browser.js`` (the view), ``forward.js`` (the network in the page), ``preprocess.js`` (drawings and
  uploads to the model's input), ``strings.js`` (its words in each edition), ``browser.css``.
"""
