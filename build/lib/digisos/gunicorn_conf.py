"""gunicorn settings hook for Prometheus' multiprocess mode: `gunicorn -c python:digisos.gunicorn_conf …`.

A worker that exits leaves its metric files in PROMETHEUS_MULTIPROC_DIR; marking it dead lets its
live gauges go (counters and histograms are kept and still added up). See docs/OPERATIONS.md §5.
"""

import os


def child_exit(server, worker):
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
