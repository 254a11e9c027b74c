"""Placeholder: the ningxia layout definition is being written."""
from .base import LayoutDefinition


class NingxiaLayout(LayoutDefinition):
    code = "ningxia"
