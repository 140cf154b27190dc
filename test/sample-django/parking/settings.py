"""Settings of the parking app (trimmed)."""
import os

DEBUG = os.environ.get("DJANGO_DEBUG") == "1"
SECRET_KEY = "django-insecure-sample-key-for-tests-only"
ALLOWED_HOSTS = ["parking.example.com"]
INSTALLED_APPS = ["django.contrib.contenttypes", "parking"]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ.get("POSTGRES_DB", "parking"),
        "HOST": os.environ.get("POSTGRES_HOST", "localhost"),
    }
}
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://localhost:6379"}}
