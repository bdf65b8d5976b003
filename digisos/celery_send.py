"""The Celery application class: ``send_task`` with what it works out per task name kept (issue 19).

For every message, Celery's ``send_task`` works out the same things again: the task's execution options
from the registry, its time limits and ignore_result, its route (router, queue) — about a third of
publishing a task. For one task name and the same options they come out the same every time (the
router and the queues are kept by Celery itself: ``amqp.router``, ``amqp.queues``).
``DigisosCelery.send_task`` keeps them per name and options, then builds and publishes each message
with Celery's own functions, called with the arguments ``Celery.send_task`` (5.7) calls them with
(``amqp.create_task_message``, ``amqp.send_task_message``: the same headers, body, properties, route,
publish signals). Only the plain case is served so: a producer given, no countdown, eta, expires,
callbacks, group or chord, not inside a worker's task (the message would name it as parent), routes
by task name only (``task_routes`` as a dict). Anything else is Celery's ``send_task`` as it is.
The settings it reads (task_always_eager, task_send_sent_event) are kept with the rest and read again
when a Django setting changes, as Celery keeps those of its publisher (serializer, retry policy).
tests/test_celery_send.py compares what the broker receives both ways.
"""

from __future__ import annotations

import inspect
import warnings

from celery import Celery
from celery.app.routes import MapRoute
from celery.exceptions import AlwaysEagerIgnored
from kombu import Queue
from kombu.common import Broadcast
from kombu.utils.uuid import uuid

#: Per message (not part of what is kept).
_PER_MESSAGE = frozenset({"args", "kwargs", "task_id", "producer", "result_cls", "countdown", "task_type"})
#: The keyword arguments the kept path serves: the outbox's send_task, and Task.apply_async's (its
#: execution options, celery.app.task.extract_exec_options, and ignore_result).
_SERVED = _PER_MESSAGE | {"shadow", "link", "link_error", "retry", "ignore_result"}
_SERVED |= {"queue", "routing_key", "exchange", "priority", "serializer", "delivery_mode", "compression"}
_SERVED |= {"immediate", "mandatory", "time_limit", "soft_time_limit", "expires"}
#: Must be None (or not given): Celery's send_task treats them apart (callbacks; a time from now).
_NONE_ONLY = ("link", "link_error", "expires")
#: Most kinds of send kept (task names × options); a process uses a handful.
_MAX_KEPT = 256


class DigisosCelery(Celery):
    """Celery, with the per-name part of ``send_task`` kept (see the module's docstring)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kept_sends: dict = {}

    def forget_kept_sends(self) -> None:
        """Work it out again from now on (the settings changed)."""
        self._kept_sends.clear()

    def send_task(self, name, args=None, kwargs=None, **options):
        if (
            options.get("producer") is not None
            and not options.get("countdown")
            and options.keys() <= _SERVED
            and all(options.get(key) is None for key in _NONE_ONLY)
        ):
            kept = self._kept(name, options)
            if kept is not None and self.current_worker_task is None:
                return self._send_kept(kept, name, args, kwargs, options)
        return super().send_task(name, args, kwargs, **options)

    def _kept(self, name, options) -> dict | None:
        """What ``Celery.send_task`` works out for ``name`` and ``options`` before it builds the message;
        None if it is not served here."""
        task_type = options.get("task_type")
        rest = {key: value for key, value in options.items() if key not in _PER_MESSAGE}
        try:
            key = (name, id(task_type), frozenset(rest.items()))
            kept = self._kept_sends.get(key)
        except TypeError:  # an option that cannot be a key
            return None
        fresh = kept is not None and kept["task_type"] is task_type
        if fresh and (task_type is not None or self._tasks.get(name) is kept["looked_up"]):
            return kept
        kept = self._work_out(name, task_type, rest)
        if len(self._kept_sends) >= _MAX_KEPT:
            self._kept_sends.clear()
        self._kept_sends[key] = kept
        return kept

    def _work_out(self, name, task_type, options: dict) -> dict | None:
        """As ``Celery.send_task`` (5.7) does it: the registry's execution options as defaults (a send
        by name), the limits and ignore_result taken out, then the route."""
        router = self.amqp.router
        if not all(isinstance(route, MapRoute) for route in router.routes):
            return None  # a router function may route by the arguments
        for explicit in ("shadow", "link", "link_error"):  # send_task's own parameters, not options
            options.pop(explicit, None)
        looked_up = task_type
        if task_type is None:
            looked_up = self._tasks.get(name)
            if looked_up is not None and hasattr(looked_up, "_get_exec_options"):
                get_exec_options = looked_up._get_exec_options
                exec_options = get_exec_options() if inspect.ismethod(get_exec_options) else None
                if exec_options:
                    defaults = {k: v for k, v in exec_options.items() if v is not None}
                    if defaults:
                        options = dict(defaults, **options)
        time_limit = options.pop("time_limit", None)
        soft_time_limit = options.pop("soft_time_limit", None)
        expires = options.pop("expires", None)
        ignore_result = options.pop("ignore_result", None)
        routed = router.route(options, name, (), {}, looked_up)
        if expires is not None or routed.get("stamped_headers") or "eta" in routed:
            return None
        queue = routed.get("queue")
        conf = self.conf
        return {
            "always_eager": conf.task_always_eager,
            "sent_event": conf.task_send_sent_event,
            # What send_task_message declares (the queue): bound once per channel, see _bound. Not with
            # publish retries (kombu then declares through the entity's own channel) or a declare given.
            "declare": bool(
                queue is not None
                and isinstance(queue, Queue)
                and not isinstance(queue, Broadcast)
                and routed.get("retry") is False
                and "declare" not in routed
            ),
            "bound": None,
            "task_type": task_type,
            "looked_up": looked_up,
            "time_limit": time_limit,
            "soft_time_limit": soft_time_limit,
            "ignore_result": ignore_result,
            "options": routed,
        }

    def _send_kept(self, kept: dict, name, args, kwargs, options):
        """Build and publish the message as ``Celery.send_task`` does, with what was kept."""
        amqp = self.amqp
        if kept["always_eager"]:  # pragma: no cover - as Celery.send_task
            warnings.warn(AlwaysEagerIgnored("task_always_eager has no effect on send_task"), stacklevel=2)
        task_id = options.get("task_id") or uuid()
        routed = dict(kept["options"])
        ignore_result = kept["ignore_result"]
        producer = options["producer"]
        message = amqp.create_task_message(
            task_id,
            name,
            args,
            kwargs,
            None,  # countdown
            None,  # eta
            None,  # group_id
            None,  # group_index
            None,  # expires
            0,  # retries
            None,  # chord
            None,  # link
            None,  # link_error
            self.thread_oid,  # reply_to
            kept["time_limit"],
            kept["soft_time_limit"],
            kept["sent_event"],
            None,  # root_id
            None,  # parent_id
            options.get("shadow"),
            None,  # chain
            ignore_result=ignore_result,
            replaced_task_nesting=0,
            **_reprs(args, kwargs),
            **routed,
        )
        routed.pop("stamped_headers", None)
        if kept["declare"]:
            routed["declare"] = [_bound(kept, producer.channel)]
        with producer.connection._reraise_as_library_errors():
            if not ignore_result:
                self.backend.on_task_call(producer, task_id)
            amqp.send_task_message(producer, name, message, **routed)
        result = (options.get("result_cls") or self.AsyncResult)(task_id)
        result.ignored = ignore_result
        return result


def _reprs(args, kwargs) -> dict:
    """The message's argsrepr and kwargsrepr for plain arguments (a tuple of ints, no keywords: an id),
    as saferepr writes them; for anything else nothing (create_task_message writes them)."""
    if kwargs or type(args) is not tuple or len(args) > 4 or not all(type(arg) is int for arg in args):
        return {}
    return {"argsrepr": repr(args), "kwargsrepr": "{}"}


def _bound(kept: dict, channel):
    """The route's queue bound to ``channel``, as Celery's send_task has it declared (``declare=[queue]``,
    kombu's maybe_declare: once per connection); kept while the producer's channel stays the same,
    instead of kombu binding a copy for each message to see that it was declared already."""
    bound = kept["bound"]
    if bound is None or bound.channel is not channel:
        bound = kept["bound"] = kept["options"]["queue"].bind(channel)
    return bound


def keep_redis_client(channel) -> None:
    """Have a kombu Redis channel make its synchronous client once per connection pool, not for each
    publish batch (kombu's ``PublishBatch``) or command: building a ``redis.Redis`` (its response
    callbacks, ~170 dict writes) was ~4 % of an accept (issue 19). The kept client is one kombu would
    make (``_create_client``, the channel's pool, its credential provider) and holds no connection of
    its own (each command, and a pipeline's execute, takes one from the pool and gives it back), so
    using it again is using a new one. A new pool (after a fork, kombu's ``_disconnect_pools``) gets a
    new client. Other transports, and the asynchronous client (the consumer's), are left alone."""
    from kombu.transport.redis import Channel as RedisChannel

    if not isinstance(channel, RedisChannel) or "_create_client" in vars(channel):
        return
    create = channel._create_client  # kombu's, bound
    kept: list = [None, None]  # pool, client

    def _create_client(asynchronous=False):
        if asynchronous:
            return create(asynchronous=True)
        pool = channel.pool
        if kept[0] is not pool:
            kept[:] = [pool, create()]
        return kept[1]

    channel._create_client = _create_client
