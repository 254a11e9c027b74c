from django import template

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
