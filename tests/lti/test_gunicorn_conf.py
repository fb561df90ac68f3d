"""Gunicorn's production configuration (lti/gunicorn_conf.py); its access log is checked
under a real gunicorn in tests/lti/production/test_readiness_and_logs.py."""

from __future__ import annotations

import gc

from lti import gunicorn_conf


def test_a_worker_keeps_the_objects_it_loaded_out_of_the_garbage_collectors_passes():
    before = gc.get_freeze_count()
    try:
        gunicorn_conf.post_worker_init(worker=None)
        assert gc.get_freeze_count() > before
    finally:
        gc.unfreeze()
