"""Accounts that must change their password first (the demo accounts outside `make run`)."""
from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_PATHS = ("/password-change/", "/logout/", "/static/")


class PasswordChangeRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and user.must_change_password
            and not request.path.startswith(ALLOWED_PATHS)
        ):
            return redirect(f"{reverse('password_change')}?next={request.path}")
        return self.get_response(request)
