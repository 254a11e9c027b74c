"""Site-wide pages that belong to no app: the CSRF failure page and /favicon.ico."""
from urllib.parse import urlencode

from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme


def _on_this_site(request, url):
    return bool(url) and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )


def csrf_failure(request, reason=""):
    """A form posted with a missing or stale CSRF token: in Chinese, in the site's layout, with a way back.

    The usual case is a login page left open overnight, so the login page gets its own message and
    a link back to the login form that keeps where the user was going (`next`, if on this site).
    """
    login_url = reverse("login")
    if request.path == login_url:
        next_url = request.POST.get("next") or request.GET.get("next", "")
        if _on_this_site(request, next_url):
            login_url += "?" + urlencode({"next": next_url})
        return render(request, "registration/login_expired.html", {"login_url": login_url}, status=403)
    referer = request.META.get("HTTP_REFERER", "")
    back_url = referer if _on_this_site(request, referer) else reverse("home")
    return render(request, "403_csrf.html", {"back_url": back_url}, status=403)


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links; send them to our SVG."""
    return redirect(static("favicon.svg"))
