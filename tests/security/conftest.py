from tests.api.conftest import api, keys  # noqa: F401  (fixtures)
from tests.calloffs.conftest import (  # noqa: F401  (fixtures)
    contract,
    drive,
    file_calloff,
    modules,
    providers,
    ranking,
    roles,
    setup,
    staff,
)
