"""The course's widgets: the activation browser (every map of every layer, on the page or in a kernel),
the convolution playground (one filter, every number editable) and the film of training (conv1 as it
learned, with a slider over training time).

- :mod:`~featuremaps.widget.browser`: the browser's Python side, ``browse`` (chapters 4–5);
- :mod:`~featuremaps.widget.playground`: the playground's Python side, ``playground`` (chapters 1, 3);
- :mod:`~featuremaps.widget.film`: the film's Python side, ``Film`` (chapter 3);
- :mod:`~featuremaps.widget.export`: a Keras model as plain data for the page's forward pass (chapter 4);
- :mod:`~featuremaps.widget.colour_example`: a second, colour model to browse (chapter 4).

The front end is ES modules beside this file, bundled by esbuild into one module per widget in
``bundle/`` (``make widget``): ``browser.js``, ``playground.js`` and ``film.js`` wire each view;
``browser_view.js`` builds the browser's parts, ``paint.js`` draws maps in the course's grey,
``pen.js`` takes drawings and uploads, ``filters.js`` finds the filter behind a map, ``forward.js``
runs the network (its layer kinds from ``featuremaps/layer_kinds.json``), ``preprocess.js`` turns
an upload into the model's input, ``dom.js`` holds what every view shares, and ``*strings.js``
their words in each edition.
"""
