"""Signals of the outbox, for the apps above it (which this app does not know).

``delivery_failing``: a delivery keeps failing or was given up; sent once per failing webhook
endpoint while it fails, once per other notification, and once more when a row is given up,
inside the transaction that records the attempt. Keyword arguments: ``notification``,
``attempts``, ``dead`` (bool), ``message`` (German, for people). ``calloffs`` turns it into a
ministry alert on the dashboard (with its e-mails).
"""

from django.dispatch import Signal

delivery_failing = Signal()
