"""The version is written once, in pyproject.toml; the package and ``docgen --version`` report that one."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import docgen
from support import ROOT


def test_the_package_and_the_cli_report_pyprojects_version():
    written = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert docgen.__version__ == written
    reply = subprocess.run([sys.executable, "-m", "docgen.cli", "--version"], capture_output=True, text=True,
                           check=True)
    assert reply.stdout.strip() == f"docgen {written}"
