"""The one table of Keras layer kinds (``layer_kinds.json``): what each does to a receptive field,
how its cost is counted, and which operation runs it in the page.

Python reads it here (:mod:`featuremaps.depth.fields`, :mod:`featuremaps.depth.sizes`,
:mod:`featuremaps.widget.export`); the page's forward pass (``widget/forward.js``) imports the same file.
"""

from __future__ import annotations

import json
from pathlib import Path

TABLE_FILE = Path(__file__).with_name("layer_kinds.json")
KINDS: dict[str, dict] = json.loads(TABLE_FILE.read_text(encoding="utf-8"))["kinds"]
COLUMNS = ("page", "note", "field", "macs")


def kinds_where(column: str, *values) -> tuple[str, ...]:
    """The kinds whose ``column`` holds one of ``values``, in the table's order."""
    if column not in COLUMNS:
        raise KeyError(f"the layer table has no column {column!r}; it has {', '.join(COLUMNS)}")
    return tuple(kind for kind, row in KINDS.items() if row[column] in values)

