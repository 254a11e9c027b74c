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
# Tasks run at once, in the test's own process and database.
HUEY = {"huey_class": "huey.MemoryHuey", "name": "targets-test", "immediate": True}
