"""The app's settings for its own tests.

With PARKING_TEST_DATABASE_HOST set (the pipeline's test job: PostgreSQL 17 and Redis 8 as services),
the tests use them; without it, SQLite and an in-process cache. Celery tasks run in place.
"""
import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret")
os.environ.setdefault("PARKING_GREETING", "hello from the tests")

from parking.settings import *  # noqa: E402, F403

if os.environ.get("PARKING_TEST_DATABASE_HOST"):
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "HOST": os.environ["PARKING_TEST_DATABASE_HOST"],
            "PORT": os.environ.get("PARKING_TEST_DATABASE_PORT", "5432"),
            "NAME": "parking",
            "USER": os.environ.get("PARKING_TEST_DATABASE_USER", "parking"),
            "PASSWORD": os.environ.get("PARKING_TEST_DATABASE_PASSWORD", ""),
        }
    }
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ.get("PARKING_TEST_REDIS_URL", "redis://redis:6379/0")}}
else:
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
