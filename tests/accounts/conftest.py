import pytest


@pytest.fixture
def office(app, make_user, clock):
    """An office account (office@mz.gov.cn), with the portal's clock fixed here and moved by the tests."""
    clock.set(clock.now())
    return make_user("office", "office@mz.gov.cn", unit_name="市民政局")
