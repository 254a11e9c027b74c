"""The layout registry: code → layout.

Every layout is a definition read by `interpreter.DefinedLayout`: the one an administrator
stored on the Layout row, else the one shipped in declarations/exports/definitions/<code>.yaml.
No region has Python of its own.
"""
from pathlib import Path

import yaml

from .base import LayoutDefinition

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"
LAYOUTS: dict[str, LayoutDefinition] = {}


def register(layout):
    LAYOUTS[layout.code] = layout
    return layout


def get_layout(layout):
    """The layout that prints for `layout` (a Layout row, or a code): the row's own definition
    when an administrator wrote one, else the definition shipped for its code."""
    if not _loaded:
        _load_definitions()
    code = getattr(layout, "code", layout)
    definition = getattr(layout, "definition", None)
    if definition:
        return _stored(code, layout.version, definition)
    try:
        return LAYOUTS[code]
    except KeyError:
        raise LookupError(f"没有版式“{code}”的打印定义") from None


def _stored(code, version, definition):
    """A stored definition's interpreter, kept while its version is the current one."""
    from ..interpreter import DefinedLayout

    cached = _STORED.get(code)
    if cached is None or cached[0] != version or cached[1].definition != definition:
        cached = _STORED[code] = (version, DefinedLayout(definition))
    return cached[1]


_STORED = {}


def packaged_definitions():
    """The definitions shipped with the application, by code."""
    definitions = {}
    for path in sorted(DEFINITIONS_DIR.glob("*.yaml")):
        with open(path, encoding="utf-8") as handle:
            definition = yaml.safe_load(handle)
        definitions[definition["code"]] = definition
    return definitions


def _load_definitions():
    # Imported here: the interpreter builds on .base, which would import this package half-made.
    from ..interpreter import DefinedLayout

    global _loaded
    for definition in packaged_definitions().values():
        register(DefinedLayout(definition))
    _loaded = True


_loaded = False
