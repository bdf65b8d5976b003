"""Contract administration in the portal, for ministry staff only: the framework contract and its
terms, the providers and their staff accounts, the order of precedence, the ceiling, the alerts.

Anyone who is not ministry staff gets 404 (the pages do not exist for them). Every write goes
through ``calloffs.services``; their errors come back into the form, with the input kept.
"""
