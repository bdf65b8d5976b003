"""A worker process freezes what it holds after its first task (gc.freeze), once, and only in a worker (issue 19)."""

import gc
import os

import pytest
from celery import signals

from digisos import celery as worker


@pytest.fixture
def unfrozen(monkeypatch):
    gc.unfreeze()
    monkeypatch.setattr(worker, "_frozen_pid", None)
    yield
    gc.unfreeze()


def test_a_worker_freezes_after_its_first_task_once(unfrozen, monkeypatch):
    monkeypatch.setattr(worker, "_in_worker", True)
    assert gc.get_freeze_count() == 0
    worker._freeze_after_first_task()
    frozen = gc.get_freeze_count()
    assert frozen > 1000  # Django and everything imported so far
    assert worker._frozen_pid == os.getpid()
    calls = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    worker._freeze_after_first_task()  # the second task: nothing is frozen again
    assert calls == []
    # a forked child (another pid) freezes once for itself
    monkeypatch.setattr(worker, "_frozen_pid", os.getpid() + 1)
    worker._freeze_after_first_task()
    assert calls == ["freeze"]


def test_a_web_process_or_a_test_never_freezes(unfrozen, monkeypatch):
    monkeypatch.setattr(worker, "_in_worker", False)
    worker._freeze_after_first_task()
    assert gc.get_freeze_count() == 0


def test_it_runs_after_every_task():
    receivers = [ref() for _key, ref in signals.task_postrun.receivers]
    assert worker._freeze_after_first_task in receivers
