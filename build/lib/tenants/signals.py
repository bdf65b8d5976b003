from django.dispatch import Signal

#: Sent inside the transaction that accepts an invitation, with ``invitation`` and ``user``.
#: Apps that grant rights tenants does not know (e.g. provider staff) listen for their ``grant_kind``
#: and raise to refuse; the whole acceptance then rolls back.
invitation_accepted = Signal()
