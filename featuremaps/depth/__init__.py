"""What feature maps hold at each depth, measured on a model: one module per question.

- :mod:`~featuremaps.depth.fields`: receptive fields, the input window a unit sees (chapters 4–7);
- :mod:`~featuremaps.depth.kernels`: first-layer kernels as edges, contrast or spots (chapter 6);
- :mod:`~featuremaps.depth.corners`: units that fire for two bars together more than apart (chapter 6);
- :mod:`~featuremaps.depth.selectivity`: which images make a map fire, class share (chapters 6–7);
- :mod:`~featuremaps.depth.parts`: deep maps that look like parts, with controls (chapter 7);
- :mod:`~featuremaps.depth.dissection`: Network Dissection's part test, a map's region against a part (chapter 7);
- :mod:`~featuremaps.depth.visualise`: the input gradient ascent makes a map fire for (chapter 7);
- :mod:`~featuremaps.depth.attribution`: occlusion and Grad-CAM, and how far they agree (chapter 7);
- :mod:`~featuremaps.depth.sizes`: each layer's size and cost (chapters 3, 8);
- :mod:`~featuremaps.depth.designs`: three placements of the maps at one budget, trained five times each (chapter 8);
- :mod:`~featuremaps.depth.runs` and :mod:`~featuremaps.depth.controls`: a claim over several training runs,
  and planted units whose answer is known (chapters 5 to 7).

Each works on any Keras model and is unit-tested on small hand-made ones.
"""
