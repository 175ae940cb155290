"""Fixtures and hooks: the seed meeting built once per test session, and hypothesis's profiles.

Shared helpers live in tests/support.py (``from support import …``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from support import SEED_MEETING, TEST_PROCESS, private_copy

# Examples per property test from DOCGEN_HYPOTHESIS_PROFILE (or hypothesis's --hypothesis-profile):
# "test" for make test, "long" for make test-long. No deadline: an example renders Word documents
# on a shared machine, where one may take ten times as long as the next without being wrong.
settings.register_profile("test", max_examples=30, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("long", settings.get_profile("test"), max_examples=10_000)
settings.load_profile(os.environ.get("DOCGEN_HYPOTHESIS_PROFILE", "test"))


def pytest_configure(config: pytest.Config) -> None:
    # Inherited by every LibreOffice and worker a test starts: soffice_pids() counts only this process's,
    # not those of pytest-xdist's other worker or of another checkout's tests on the machine.
    os.environ[TEST_PROCESS] = str(os.getpid())
    # Each pytest-xdist worker keeps LibreOffice profiles of its own (docgen's profile_root() lies under
    # XDG_CACHE_HOME): two builds at once would otherwise give the second fresh temporary profiles.
    if worker := os.environ.get("PYTEST_XDIST_WORKER"):
        cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
        os.environ["XDG_CACHE_HOME"] = str(cache / f"docgen-test-{worker}")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # A clear skip reason beats a wall of ToolErrors on a machine without LibreOffice.
    if shutil.which("soffice") is None:
        skip = pytest.mark.skip(reason="LibreOffice (soffice) saknas: kör make test")
        for item in items:
            if "libreoffice" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory):
    """The seed meeting built with the real pipeline (LibreOffice included)."""
    from docgen.pipeline.run import build

    out = tmp_path_factory.mktemp("out")
    return build(SEED_MEETING, out)


@pytest.fixture(scope="session")
def built_out(seed_build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An out/ folder with the seed built, cache included (a copy of :func:`seed_build`'s): copies of it
    rebuild without LibreOffice. Never written to: tests change their copy (:func:`out`)."""
    out = tmp_path_factory.mktemp("byggd") / "out"
    shutil.copytree(seed_build.folder.parent, out, symlinks=True)
    return out


@pytest.fixture
def out(built_out: Path, tmp_path: Path) -> Path:
    """A private copy of :func:`built_out`."""
    return private_copy(built_out, tmp_path)
