"""Test runs: fast hashing, in-memory mail, a throw-away media folder."""
import tempfile

from .base import *  # noqa: F401,F403

DEBUG = False
SECRET_KEY = "test-key-not-for-production"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = tempfile.mkdtemp(prefix="pjd-test-media-")
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
# Static files are served by runserver / the live test server here; whitenoise is for production.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]  # noqa: F405
# axe-core (npm) is served as our own static file to the browser tests only, which load it with a
# <script src> the Content-Security-Policy allows (Playwright's inline injection is refused).
if NODE_MODULES.exists():  # noqa: F405
    STATICFILES_DIRS += [("vendor/axe", NODE_MODULES / "axe-core")]  # noqa: F405
# Tasks run at once, in the test's own process and database.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "targets-test", "immediate": True}
# PDFs render in the test's process (a child per document would cost a second each); the
# limits themselves are tested with the setting raised (tests/test_job_limits.py).
PDF_TIMEOUT_SECONDS = 0
