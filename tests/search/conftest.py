"""Fixtures for search: run the index worker as the operator would (``flask search work``)."""
import pytest


@pytest.fixture
def work_index(app):
    """Run ``flask search work`` once; return its output."""

    def run() -> str:
        result = app.test_cli_runner().invoke(args=["search", "work"])
        assert result.exit_code == 0, result.output + repr(result.exception)
        return result.output

    return run
