"""Text pasted from last year's Word file: leading numbering and labels are not content.

Fillers paste `1.1. 完成…`, `（一）信访积案化解`, `1、…`, `一、…`, `绩效目标：…`; the layout numbers
items itself when it prints them, so the numbering and the label are removed when saved (else
`1.1.` / `（一）（一）` / `绩效目标：绩效目标：` print twice).
"""
import re

_CHINESE_NUMERAL = "一二三四五六七八九十"
_LEADING = re.compile(
    r"^\s*(?:"
    r"\d+(?:[.．]\d+)*(?:[.．、,，]|[)）])(?!\d)"  # 1.  1.1.  1、  1）  (not 1.5万人次)
    rf"|[（(](?:\d+|[{_CHINESE_NUMERAL}]+)[)）]"  # （一） (1) （1）
    rf"|[{_CHINESE_NUMERAL}]+[、.．]"  # 一、  二.
    r"|[①-⑳]"  # ①
    r"|(?:分项)?(?:绩效目标|绩效指标|标题|目标|指标)\s*[:：]"  # 绩效目标：  绩效指标:
    r")\s*"
)


def strip_numbering(text):
    """`text` without its leading numbering and labels (repeated: `1.1. 绩效目标：…` too)."""
    text = (text or "").strip()
    while True:
        stripped = _LEADING.sub("", text, count=1)
        if stripped == text or not stripped:
            return text
        text = stripped


def pasted_lines(text):
    """The non-empty lines of a pasted block, each without its numbering."""
    lines = (strip_numbering(line) for line in (text or "").splitlines())
    return [line for line in lines if line]
