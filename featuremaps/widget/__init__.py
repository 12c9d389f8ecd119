"""The course's widgets: the activation browser (every map of every layer, on the page or in a kernel)
and the convolution playground (one filter, every number editable).

- :mod:`~featuremaps.widget.browser`: the browser's Python side, ``browse`` (chapters 4–5);
- :mod:`~featuremaps.widget.playground`: the playground's Python side, ``playground`` (chapters 1, 3);
- :mod:`~featuremaps.widget.export`: a Keras model as plain data for the page's forward pass (chapter 4);
- :mod:`~featuremaps.widget.colour_example`: a second, colour model to browse (chapter 4);
- ``browser.js`` and ``playground.js`` (the views), ``forward.js`` (the network in the page),
  ``preprocess.js`` (drawings and uploads to the model's input), ``strings.js`` and
  ``playground_strings.js`` (their words in each edition), ``dom.js`` (what both views share),
  ``browser.css``, ``playground.css``.
"""
