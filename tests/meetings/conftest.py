"""The office's fixtures (a logged-in office of 市民政局, its open consultation of seed 003, a form filler)."""
from tests.office.conftest import consultation, make_staff, office, small_consultation, submit  # noqa: F401
