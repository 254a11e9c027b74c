"""django-axes' view of a login attempt."""
from django.conf import settings

USERNAME_MAX = 150  # the user model's username length; axes stores at most 255 characters


def username(request, credentials=None):
    """The username tried, cut to what a real username can be: an over-long one would not fit
    axes' records and answer 500 (PostgreSQL enforces the column's length)."""
    field = settings.AXES_USERNAME_FORM_FIELD
    if credentials:
        value = credentials.get(field)
    else:
        value = getattr(request, "data", request.POST).get(field)
    return None if value is None else str(value)[:USERNAME_MAX]
