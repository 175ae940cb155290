"""Where the Word templates come from, and the contract they must keep.

docgen ships its templates as package data (``docgen/templates/``). An
association may keep its own restyled copies in the folder its YAML names
(``mallar:``); a file there wins over the shipped one of the same name and
survives an upgrade of docgen. Either way the Word files are the one source
of truth: nothing regenerates them behind the secretary's back.

The contract (:mod:`docgen.documents.contract` checks it) is that a template
has the styles the pipeline writes content in, and uses only the
placeholders the context provides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from jinja2 import TemplateError, UndefinedError

from docgen.errors import DocgenError

SHIPPED = Path(__file__).resolve().parent.parent / "templates"
"""The templates that come with docgen."""


class TemplateProblem(DocgenError):
    """A Word template breaks the contract: a style is missing or a placeholder is unknown."""

    exit_code = 1

    def __init__(self, template: Path, message: str) -> None:
        self.template = template
        self.message = message
        super().__init__(f"mallen {template}: {message}")

    def __reduce__(self) -> tuple[type, tuple[Path, str]]:
        # Raised in the build's rendering process too: it must come back whole.
        return TemplateProblem, (self.template, self.message)


@dataclass(frozen=True)
class Templates:
    """The association's own template folder, if any, in front of the shipped one."""

    own: Path | None = None

    def path(self, name: str) -> Path:
        """The template file called ``name`` that a build uses."""
        if self.own is not None and (self.own / name).is_file():
            return self.own / name
        shipped = SHIPPED / name
        if not shipped.is_file():
            raise TemplateProblem(shipped, "filen saknas; installera om docgen")
        return shipped

    def folders(self) -> list[Path]:
        return [folder for folder in (self.own, SHIPPED) if folder is not None]


_UNDEFINED_ATTRIBUTE = re.compile(r"has no attribute '([^']+)'")
_UNDEFINED_NAME = re.compile(r"'([^']+)' is undefined")


def describe_template_error(exc: TemplateError, source_xml: str) -> str:
    """A Swedish sentence for a template that did not render, naming the placeholder."""
    if isinstance(exc, UndefinedError):
        match = _UNDEFINED_ATTRIBUTE.search(str(exc)) or _UNDEFINED_NAME.search(str(exc))
        name = match.group(1) if match else str(exc)
        expression = _expression_using(source_xml, name)
        return (f"platshållaren {expression} är okänd för docgen; rätta stavningen eller ta bort den "
                "(se README, Mallarna)")
    return f"mallen går inte att fylla i ({exc})"


def _expression_using(xml: str, name: str) -> str:
    """The ``{{ … }}`` or ``{% … %}`` in the template that uses ``name``, as the secretary wrote it."""
    for match in re.finditer(r"\{\{.*?\}\}|\{%.*?%\}", xml, re.DOTALL):
        text = re.sub(r"<[^>]+>", "", match.group(0))
        if re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)|\.{re.escape(name)}(?!\w)", text):
            return text
    return f"{{{{ {name} }}}}"
