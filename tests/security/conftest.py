from tests.api.conftest import api, keys  # noqa: F401  (fixtures)
