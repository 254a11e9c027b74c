"""Placeholder: the hubei layout definition is being written."""
from .base import LayoutDefinition


class HubeiLayout(LayoutDefinition):
    code = "hubei"
