"""Contract administration (ministry only): the framework contract and its terms, the providers and
their staff accounts, the entitled bodies, the order of precedence and the ministry's alerts.

- ``services``: every write of the contract administration (audited in tenants.AuditEntry);
- ``selectors``: the reads of its pages; ``forms``: the forms of its pages;
- ``views``/``urls``: the pages under /abrufe/vertrag/ (URL names ``calloffs:contract_*``).

It is part of the calloffs app (its models live in calloffs.models); the template filters of its pages
stay in calloffs/templatetags/contract_tags.py, where Django's template engine finds them.
"""
