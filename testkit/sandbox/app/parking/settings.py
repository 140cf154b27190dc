"""Settings of the sandbox parking app, all from the environment (12-factor)."""
import os
from pathlib import Path

from .release import VERSION

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise RuntimeError(f"{name} is not set")
    return value


SECRET_KEY = env("SECRET_KEY", "sandbox-insecure-secret-key-only-for-collectstatic")
DEBUG = False
# Health probes reach each container by its IP; nginx passes the client's Host.
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["django.contrib.staticfiles", "parking.apps.ParkingConfig"]
MIDDLEWARE = ["django.middleware.common.CommonMiddleware"]
ROOT_URLCONF = "parking.urls"
WSGI_APPLICATION = "parking.wsgi.application"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": []},
    }
]

# PostgreSQL through PgBouncer (transaction pooling): no server-side cursors, no persistent
# connections held across requests.
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "HOST": env("DATABASE_HOST", "db"),
        "PORT": env("DATABASE_PORT", "6432"),
        "NAME": env("DATABASE_NAME", "parking"),
        "USER": env("DATABASE_USER", "parking"),
        "PASSWORD": env("DATABASE_PASSWORD", ""),
        "CONN_MAX_AGE": 0,
        "DISABLE_SERVER_SIDE_CURSORS": True,
        "OPTIONS": {"connect_timeout": 5},
    }
}
REDIS_URL = env("REDIS_URL", "redis://db:6379/0")
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "TIMEOUT": 5,
    }
}

USE_TZ = True
TIME_ZONE = "UTC"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}

CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
# A message a worker received but never acknowledged (it died) goes to another worker after this
# long; every task here takes milliseconds. bin/worker stops consuming before a warm shutdown, so a
# replaced worker leaves nothing unacknowledged (celery/celery#7950).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 300}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
#: seconds between two beat ticks (each writes one row, unique per interval)
TICK_SECONDS = int(env("PARKING_TICK_SECONDS", "5"))
CELERY_BEAT_SCHEDULE = {
    "tick": {"task": "parking.tasks.tick", "schedule": float(TICK_SECONDS)},
}

#: a non-secret setting that /config/ shows, and the release it came with
GREETING = env("PARKING_GREETING", "welcome")
RELEASE = VERSION

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
