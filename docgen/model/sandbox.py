"""The one sandboxed Jinja environment docgen renders text with: Word templates and att-clauses.

Jinja's sandbox keeps what a template or a clause says from reaching Python
internals; StrictUndefined makes a misspelt name an error rather than an
empty gap in a document. Each distinct source is compiled once: docxtpl hands
over the whole document XML of a template for every document it renders,
and the same clause is rendered for every member.
"""

from __future__ import annotations

from typing import Any

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

COMPILED_SOURCES = 256
"""How many compiled sources an environment keeps before it starts afresh."""


class Sandbox(SandboxedEnvironment):
    """Jinja's sandbox with StrictUndefined that compiles each distinct source once."""

    def __init__(self, autoescape: bool) -> None:
        super().__init__(undefined=StrictUndefined, autoescape=autoescape)
        self._compiled: dict[str, Template] = {}

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return super().from_string(source, globals, template_class)
        if source not in self._compiled:
            if len(self._compiled) > COMPILED_SOURCES:
                self._compiled.clear()
            self._compiled[source] = super().from_string(source)
        return self._compiled[source]
