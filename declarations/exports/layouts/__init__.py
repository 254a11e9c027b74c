"""The layout registry: code → definition. Adding a region is adding a module and a line here."""
from .base import LayoutDefinition
from .hebei import HebeiLayout
from .hubei import HubeiLayout
from .jiangsu import JiangsuLayout
from .national import NationalLayout
from .ningxia import NingxiaLayout

LAYOUTS: dict[str, LayoutDefinition] = {}


def register(layout):
    LAYOUTS[layout.code] = layout
    return layout


def get_layout(code):
    try:
        return LAYOUTS[code]
    except KeyError:
        raise LookupError(f"没有版式“{code}”的打印定义") from None


for _layout in (HebeiLayout(), JiangsuLayout(), NingxiaLayout(), HubeiLayout(), NationalLayout()):
    register(_layout)
