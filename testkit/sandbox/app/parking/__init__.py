"""The sandbox's parking app: lots, spots and parking sessions (Django 5.2, Celery, PostgreSQL, Redis)."""
from .celery import app as celery_app

__all__ = ["celery_app"]
