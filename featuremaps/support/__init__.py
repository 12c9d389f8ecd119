"""What makes the chapters run anywhere; learners never import it directly.

- :mod:`~featuremaps.support.runtime`: what the course needs of the Python it runs in, checked on import;
- :mod:`~featuremaps.support.setup_cell`: every notebook's first cell, which installs the package;
- :mod:`~featuremaps.support.bundled_files`: the files in ``featuremaps/bundled/`` and how to restore them;
- :mod:`~featuremaps.support.glue`: numbers handed to the book build (a no-op outside it).
"""
