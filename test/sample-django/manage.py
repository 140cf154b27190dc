#!/usr/bin/env python3
"""Django's command-line utility, as `django-admin startproject` writes it."""
import importlib
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "parking.settings")
    management = importlib.import_module("django.core.management")
    management.execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
