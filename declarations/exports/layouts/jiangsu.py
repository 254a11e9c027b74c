"""Placeholder: the jiangsu layout definition is being written."""
from .base import LayoutDefinition


class JiangsuLayout(LayoutDefinition):
    code = "jiangsu"
