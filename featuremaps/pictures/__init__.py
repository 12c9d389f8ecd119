"""The course's figures, all in one style: colormap ``gray``, black the lowest value, the range stated.

- :mod:`~featuremaps.pictures.maps`: feature maps and images, overlays, PNGs for widgets (every chapter);
- :mod:`~featuremaps.pictures.convolution`: the formula at work, a window and a channel sum (chapter 1);
- :mod:`~featuremaps.pictures.network`: padding, stride, pooling and the network's shapes (chapter 3).
"""
