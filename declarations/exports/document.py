"""The printable document: blocks of prose and tables on one column grid per table.

A layout (layouts/<code>.py) builds these objects from the database; `pdf.py` and `xlsx.py`
lay the same objects out, so the preview, the PDF and the workbook cannot disagree.
"""
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

LABEL = "label"      # a printed caption: 项目名称, 一级指标 (bold, centred, shaded in Excel)
VALUE = "value"      # a short value, centred
TEXT = "text"        # long text, left-aligned and wrapped
NUMBER = "number"    # an amount or percentage; `number` and `number_format` set for Excel


FILENAME_MAX_BYTES = 150  # UTF-8 bytes: room for a storage prefix, "-指标.csv" and the 255-byte limit
FILENAME_RESERVED = re.compile(r'[<>:"/\\|?*#%]')
WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"COM{n}" for n in range(10)), *(f"LPT{n}" for n in range(10))}


def safe_filename(name, default="文档"):
    """`name` as a file name and URL part: no path separators, no `..`, no leading or trailing dots,
    no control or format characters and none of <>:"|?*#%; Chinese and other letters are kept, the
    length is bounded. Replaced characters become "_"."""
    chars = []
    for char in str(name or ""):
        category = unicodedata.category(char)
        if char.isspace():
            chars.append(" ")
        elif category in ("Cc", "Cf", "Cs", "Co", "Cn") or FILENAME_RESERVED.match(char):
            chars.append("_")
        else:
            chars.append(char)
    result = re.sub(r"\.{2,}", ".", re.sub(r" +", " ", "".join(chars))).strip(" .")
    while len(result.encode("utf-8")) > FILENAME_MAX_BYTES:
        result = result[:-1]
    result = result.rstrip(" .")
    if result.split(".")[0].upper() in WINDOWS_DEVICES:
        result = f"_{result}"
    return result or default


@dataclass
class Cell:
    text: str = ""
    colspan: int = 1
    rowspan: int = 1
    kind: str = VALUE
    number: Decimal | None = None
    number_format: str | None = None  # Excel format, e.g. '0.00' or '0%'
    bind: str = ""  # what the cell holds, for reading an edited workbook back: "project:12:budget"
    bind_prefix: str = ""  # printed before the value and not part of it ("1.", "绩效目标：")

    @property
    def is_label(self):
        return self.kind == LABEL


def label(text, colspan=1, rowspan=1):
    return Cell(text=text, colspan=colspan, rowspan=rowspan, kind=LABEL)


def value(text, colspan=1, rowspan=1, bind=""):
    return Cell(text=text or "", colspan=colspan, rowspan=rowspan, kind=VALUE, bind=bind)


def text(content, colspan=1, rowspan=1, bind="", bind_prefix=""):
    return Cell(text=content or "", colspan=colspan, rowspan=rowspan, kind=TEXT, bind=bind, bind_prefix=bind_prefix)


def bind(obj, field):
    """The binding key of a model object's field: "project:12:budget", "indicator:7:value"."""
    return f"{type(obj).__name__.lower().removesuffix('declaration')}:{obj.pk}:{field}" if obj.pk else ""


@dataclass
class Part:
    """Consecutive rows of one table; `header_rows` repeat on every page (PDF) and print (Excel)."""

    rows: list[list[Cell]] = field(default_factory=list)
    header_rows: list[list[Cell]] = field(default_factory=list)

    def add(self, *cells):
        self.rows.append(list(cells))
        return self


@dataclass
class Table:
    kind = "table"
    title: str
    sheet_name: str
    column_widths: list[float]          # relative widths; also the Excel column widths in characters
    parts: list[Part] = field(default_factory=list)
    before_lines: list[str] = field(default_factory=list)   # lines printed above the title (附件2)
    after_lines: list[str] = field(default_factory=list)    # lines printed below the grid (填表人：…)
    subtitle_lines: list[str] = field(default_factory=list)  # lines under the title ((2024年度))
    header_left: str = ""              # the line above the grid, left: 455遵化市信访局
    header_right: str = ""             # and right: 单位：万元
    landscape: bool = False
    anchor: str = ""                   # id for the table of contents
    new_page: bool = True

    @property
    def column_count(self):
        return len(self.column_widths)

    @property
    def column_percentages(self):
        total = sum(self.column_widths)
        return [f"{100 * width / total:.2f}" for width in self.column_widths]


@dataclass
class Heading:
    kind = "heading"
    text: str
    level: int = 1
    anchor: str = ""
    new_page: bool = False
    bind: str = ""
    bind_prefix: str = ""


@dataclass
class Paragraph:
    kind = "paragraph"
    text: str
    indent: bool = True
    bind: str = ""
    bind_prefix: str = ""


@dataclass
class TitlePage:
    kind = "title_page"
    lines: list[str]           # big lines: unit name, 2025 年部门预算绩效文本
    footer_lines: list[str]    # small lines at the foot: 乐亭县信访局编制, 唐山市乐亭县财政局


@dataclass
class TocEntry:
    text: str
    anchor: str
    level: int = 1


@dataclass
class Toc:
    kind = "toc"
    title: str
    entries: list[TocEntry]


@dataclass
class Letter:
    kind = "letter"
    """A cover note: title, body paragraphs, attachment line, signature and date (固原)."""

    title: str
    paragraphs: list[str]
    attachment: str
    signed_by: str
    signed_on: str


@dataclass
class Document:
    title: str              # the document's name, used for the PDF title and file names
    filename: str           # without extension
    blocks: list = field(default_factory=list)
    landscape: bool = False  # page orientation of blocks that are not landscape tables
    meta: dict | None = None  # what it was built from (unit, year), for a workbook that can be read back

    def __post_init__(self):
        # Every export, download and published file is named from here: names typed by users
        # (a project called "A/B" or "../x") must not become paths or break URLs.
        self.filename = safe_filename(self.filename)

    @property
    def tables(self):
        return [block for block in self.blocks if isinstance(block, Table)]
