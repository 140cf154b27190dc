from django.apps import AppConfig


class ParkingConfig(AppConfig):
    name = "parking"
    default_auto_field = "django.db.models.BigAutoField"
