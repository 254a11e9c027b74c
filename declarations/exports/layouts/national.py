"""Placeholder: the national layout definition is being written."""
from .base import LayoutDefinition


class NationalLayout(LayoutDefinition):
    code = "national"
