"""The document tables on the pages (exports/_blocks.html) write their cells with one filter per
row (declaration_tags.grid_cells) instead of template markup per cell: the HTML is the same,
byte for byte, as the per-cell markup wrote it, hostile text included."""
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Engine
from django.template.loader import render_to_string

from declarations.exports.builders import load_document_data
from declarations.exports.document import Cell, Document, Part, Table
from declarations.exports.layouts import get_layout
from declarations.models import Unit

from .conftest import SEEDS

PER_CELL = {
    '<tr>{{ row|grid_cells:"th" }}</tr>':
        '<tr>{% for cell in row %}<th{% if cell.colspan > 1 %} colspan="{{ cell.colspan }}"{% endif %}'
        '{% if cell.rowspan > 1 %} rowspan="{{ cell.rowspan }}"{% endif %}>{{ cell.text|linebreaksbr }}</th>'
        '{% endfor %}</tr>',
    '<tr>{{ row|grid_cells:"td" }}</tr>':
        '<tr>{% for cell in row %}<td class="{{ cell.kind }}"{% if cell.colspan > 1 %} colspan="{{ cell.colspan }}"'
        '{% endif %}{% if cell.rowspan > 1 %} rowspan="{{ cell.rowspan }}"{% endif %}>{{ cell.text|linebreaksbr }}'
        '</td>{% endfor %}</tr>',
}


def _per_cell(document):
    source = Path(settings.BASE_DIR, "templates", "exports", "_blocks.html").read_text(encoding="utf-8")
    for row_filter, markup in PER_CELL.items():
        assert row_filter in source
        source = source.replace(row_filter, markup)
    engine = Engine(libraries={"declaration_tags": "declarations.templatetags.declaration_tags"})
    return engine.from_string(source).render(Context({"document": document}))


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_every_seed_document_is_written_as_the_per_cell_markup_wrote_it(db, seed):
    name, year = SEEDS[seed]
    data = load_document_data(Unit.objects.get(name=name), year)
    document = get_layout(data.layout).document(data)
    html = render_to_string("exports/_blocks.html", {"document": document})
    assert "<td" in html
    assert html == _per_cell(document)


def test_hostile_text_and_spans_are_escaped_and_written_alike():
    hostile = [
        Cell(text='<script>alert("x")</script> & 第一行\r\n第二行', kind="label", colspan=3, rowspan=2),
        Cell(text="'引号'\n", kind='value" onclick="x', colspan=None, rowspan=1),
        Cell(text="1,234.50", kind="number", colspan=1, rowspan=12),
    ]
    table = Table(title="表", sheet_name="1.表", column_widths=[1, 1, 1],
                  parts=[Part(rows=[hostile], header_rows=[hostile])], anchor="project-1")
    document = Document(title="文档", filename="文档", blocks=[table])
    html = render_to_string("exports/_blocks.html", {"document": document})
    assert html == _per_cell(document)
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; 第一行<br>第二行" in html
    assert 'class="value&quot; onclick=&quot;x"' in html and 'rowspan="12"' in html
