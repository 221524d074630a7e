"""Fixtures shared by the sync and aio suites: a fresh ehops emulator per test, and Azurite.

Each test gets its own emulator process (empty data dir, ports chosen by the OS), so tests never
see each other's events and can share the hub names of tests/fixtures/conformance.toml.
"""

import pytest

from ehtest import Azurite, Emulator


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep each phase's report on the item so fixtures can tell in teardown whether the test
    # failed, and only then print the server's log.
    outcome = yield
    report = outcome.get_result()
    setattr(item, "report_" + report.when, report)


def _failed(request) -> bool:
    report = getattr(request.node, "report_call", None)
    return report is None or report.failed


@pytest.fixture
def emulator(tmp_path, request):
    emu = Emulator.start(tmp_path / "emulator")
    try:
        yield emu
    finally:
        emu.stop()
        if _failed(request):
            print(emu.log_tail())


@pytest.fixture
def azurite(tmp_path, request):
    blob = Azurite.start(tmp_path / "azurite")
    try:
        yield blob
    finally:
        blob.stop()
        if _failed(request):
            print(blob.log_tail())
