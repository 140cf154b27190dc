"""Gunicorn as the production plan runs it: a few workers, graceful shutdown on SIGTERM."""
bind = "0.0.0.0:8000"
workers = 3
worker_class = "sync"
# SIGTERM: stop accepting, finish what is in flight (up to graceful_timeout), then exit
graceful_timeout = 20
timeout = 30
accesslog = None
errorlog = "-"
loglevel = "info"
