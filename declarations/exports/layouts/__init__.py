"""The layout registry: code → layout.

A layout is a definition (declarations/exports/definitions/<code>.yaml, read by
`interpreter.DefinedLayout`); the subclasses left here are the regions not yet written as
definitions, and a definition of the same code replaces its subclass.
"""
from pathlib import Path

import yaml

from .base import LayoutDefinition
from .hebei import HebeiLayout
from .hubei import HubeiLayout

DEFINITIONS_DIR = Path(__file__).resolve().parent.parent / "definitions"
LAYOUTS: dict[str, LayoutDefinition] = {}


def register(layout):
    LAYOUTS[layout.code] = layout
    return layout


def get_layout(code):
    if not _loaded:
        _load_definitions()
    try:
        return LAYOUTS[code]
    except KeyError:
        raise LookupError(f"没有版式“{code}”的打印定义") from None


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
for _layout in (HebeiLayout(), HubeiLayout()):
    register(_layout)
