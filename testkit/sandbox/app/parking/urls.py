from django.urls import path

from . import views

urlpatterns = [
    path("", views.index),
    path("health/", views.health),
    path("lots/", views.lots),
    path("sessions/", views.open_session),
    path("page/", views.page),
    path("config/", views.config),
]
