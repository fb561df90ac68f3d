"""The production path: Redis, Celery, gunicorn, readiness, request ids, graceful stops."""
