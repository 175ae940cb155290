"""The package tree is the pipeline: no module imports a stage that comes after its own."""

from __future__ import annotations

import ast
from pathlib import Path

from support import ROOT

PACKAGE = ROOT / "docgen"
ORDER = ["errors", "files", "model", "input", "records", "documents", "pdf", "pipeline", "signing", "distribution",
         "review", "archive", "terminal", "cli"]
"""Foundations first, then the stages in pipeline order; what the command shows, and the CLI on top. The records
(manifest, send log) come before every stage that reads them, ``docgen verify`` in pdf included."""


def _stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "cli"


def _imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("docgen"):
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names if node.module == "docgen")
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("docgen"))
    return {name for name in found if name != "docgen"}


def test_every_module_belongs_to_a_known_stage():
    for path in PACKAGE.rglob("*.py"):
        relative = path.relative_to(PACKAGE)
        stage = relative.parts[0].removesuffix(".py")
        assert stage in ORDER + ["__init__"], f"{relative}: which stage is this? add it to ORDER"


def test_no_module_imports_a_later_stage():
    offences = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        own = relative.parts[0].removesuffix(".py")
        if own == "__init__":
            continue
        for imported in _imports(path):
            if ORDER.index(_stage(imported)) > ORDER.index(own):
                offences.append(f"{relative} imports {imported}")
    assert offences == []


def test_input_and_model_know_nothing_of_documents_pdf_or_build():
    later = ("docgen.documents", "docgen.pdf", "docgen.pipeline", "docgen.terminal", "docgen.cli")
    for stage in ("model", "input"):
        for path in (PACKAGE / stage).rglob("*.py"):
            assert not [m for m in _imports(path) if m.startswith(later)], path
