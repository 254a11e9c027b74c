from django import template
from django.template.defaultfilters import linebreaksbr
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import mark_safe

register = template.Library()


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, or an empty list."""
    try:
        return mapping.get(key, [])
    except AttributeError:
        return []


@register.filter
def attr_of(obj, name):
    return getattr(obj, name, "")


def _over_one(number):
    try:
        return number > 1
    except TypeError:  # as the template's `>` answers for what does not compare
        return False


def _shown(value):
    """A value as `{{ value }}` prints it: localized, escaped."""
    return conditional_escape(str(localize(value)))


@register.filter(needs_autoescape=True)
def grid_cells(row, tag, autoescape=True):
    """The <th> or <td> cells of one row of a document table, exactly as the markup they replace
    wrote them (exports/_blocks.html, rendered once per cell: the slow part of a long table):
    `<td class="{{ cell.kind }}"{% if cell.colspan > 1 %} colspan="…"{% endif %}…>{{ cell.text|linebreaksbr }}</td>`."""
    parts = []
    for cell in row:
        attributes = f' class="{_shown(cell.kind)}"' if tag == "td" else ""
        if _over_one(cell.colspan):
            attributes += f' colspan="{_shown(cell.colspan)}"'
        if _over_one(cell.rowspan):
            attributes += f' rowspan="{_shown(cell.rowspan)}"'
        parts.append(f"<{tag}{attributes}>{linebreaksbr(cell.text, autoescape=autoescape)}</{tag}>")
    return mark_safe("".join(parts))  # every value in it escaped above
