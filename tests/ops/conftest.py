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
