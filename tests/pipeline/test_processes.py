"""Past MERGE_PROCESS_ABOVE packages templates are filled in and packages merged in processes of their own:
the files must be the very bytes a build in one process makes, and an error must come back whole."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from docgen.documents.templates import TemplateProblem
from docgen.pipeline import run
from docgen.pipeline.run import build
from support import SEED_MEETING

pytestmark = pytest.mark.libreoffice


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_build_in_processes_gives_the_bytes_of_one_in_a_single_process(seed_build, tmp_path: Path, monkeypatch):
    monkeypatch.setattr(run, "MERGE_PROCESS_ABOVE", 2)  # the seed's five packages count as many
    started = []
    real = run._processes
    monkeypatch.setattr(run, "_processes", lambda count, case=None: (started.append(count), real(count, case))[1])
    again = build(SEED_MEETING, tmp_path / "out")
    assert sorted(started) == [1, 2]  # one filling in templates, two merging
    first, second = _files(seed_build.folder), _files(again.folder)
    assert sorted(first) == sorted(second)
    assert [name for name in first if first[name] != second[name]] == []


def test_a_template_problem_raised_in_the_rendering_process_comes_back_whole():
    problem = TemplateProblem(Path("/mallar/hemstallan.docx"), "platshållaren {{ x }} är okänd för docgen")
    back = pickle.loads(pickle.dumps(problem))
    assert (type(back), back.template, back.message, str(back)) == (
        TemplateProblem, problem.template, problem.message, str(problem))
