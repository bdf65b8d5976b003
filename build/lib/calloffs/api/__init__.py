"""The provider REST API, /api/v1/ (issue 5): authentication by API key, problem+json errors,
idempotent POSTs, per-key rate limits. Layout after netbox' ``tenancy/api/``."""
