"""Wrong usage in Swedish: click's own errors ("No such option", "Invalid value for …") said as docgen says them.

The ``docgen`` group and its commands use :class:`Group` and :class:`Command`,
which turn every :class:`click.UsageError` raised while the command line is
read into a :class:`SwedishUsageError`: the same exit code (2), a Swedish usage
line and message. The values' own messages come from docgen's parameter types
(:class:`WholeNumber`), so that nothing English is left to translate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, NoReturn

import click

from docgen.terminal import err

OPTIONS_METAVAR = "[ALTERNATIV]"


class SwedishUsageError(click.UsageError):
    """A usage error with a Swedish message; shown with the command's usage line and where help is."""

    def show(self, file: Any = None) -> None:
        if self.ctx is not None:
            command = self.ctx.command
            pieces = " ".join(command.collect_usage_pieces(self.ctx))
            err.print(f"Användning: {self.ctx.command_path} {pieces}".rstrip(), markup=False)
            err.print(f"Se '{self.ctx.command_path} --help' för hjälp.\n", markup=False)
        err.print(f"docgen: {self.message}", markup=False)


def in_swedish(error: click.UsageError, context: click.Context | None = None) -> str:
    """What ``error`` says, in Swedish; a message docgen wrote itself is kept."""
    context = error.ctx or context
    if isinstance(error, click.NoSuchOption):
        text = f"okänt alternativ {error.option_name}"
        return text + (f"; menade du {' eller '.join(error.possibilities)}?" if error.possibilities else "")
    if isinstance(error, click.NoSuchCommand):
        text = f"okänt kommando {error.command_name}"
        return text + (f"; menade du {' eller '.join(error.possibilities)}?" if error.possibilities else "")
    if isinstance(error, click.BadOptionUsage):
        option = _option(context, error.option_name)
        if option is not None and option.is_flag:
            return f"{error.option_name} tar inget värde"
        return f"{error.option_name} kräver ett värde"
    if isinstance(error, click.MissingParameter):
        return f"{_hint(error)} saknas"
    if isinstance(error, click.BadParameter):
        return f"ogiltigt värde för {_hint(error)}: {error.message}"
    return error.message


def _option(context: click.Context | None, name: str) -> click.Option | None:
    if context is None:
        return None
    return next((p for p in context.command.params if isinstance(p, click.Option) and name in p.opts), None)


def _hint(error: click.BadParameter) -> str:
    if error.param_hint is not None:
        hint = error.param_hint
        return hint if isinstance(hint, str) else " / ".join(hint)
    if error.param is None:
        return "ett värde"
    if isinstance(error.param, click.Argument):
        return error.param.make_metavar(error.ctx) if error.ctx else error.param.name or "argumentet"
    return " / ".join(error.param.opts)


def _translated(action, ctx: click.Context, args: list[str]) -> Any:
    # The parser raises without a context: the one being parsed knows which option is a flag.
    try:
        return action(ctx, args)
    except SwedishUsageError:
        raise
    except click.UsageError as error:
        raise SwedishUsageError(in_swedish(error, ctx), error.ctx or ctx) from None


class Command(click.Command):
    """A docgen command: Swedish usage errors; an extra argument is one too."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        settings = kwargs.setdefault("context_settings", {})
        settings["allow_extra_args"] = True  # said below in Swedish, not by click in English
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        rest = _translated(super().parse_args, ctx, args)
        if ctx.args and not ctx.resilient_parsing:
            _extra(ctx)
        return rest


def _extra(ctx: click.Context) -> NoReturn:
    word = "oväntat argument" if len(ctx.args) == 1 else "oväntade argument"
    raise SwedishUsageError(f"{word}: {' '.join(ctx.args)}", ctx)


class Group(click.Group):
    """The ``docgen`` group: its commands are :class:`Command`, its own usage errors Swedish too."""

    command_class = Command

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("options_metavar", OPTIONS_METAVAR)
        kwargs.setdefault("subcommand_metavar", "KOMMANDO [ARGUMENT]...")
        super().__init__(*args, **kwargs)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return _translated(super().parse_args, ctx, args)

    def resolve_command(self, ctx: click.Context, args: list[str]) -> Any:
        return _translated(super().resolve_command, ctx, args)


class Day(click.ParamType):
    """A date written ÅÅÅÅ-MM-DD, refused in Swedish (click's DateTime says so in English)."""

    name = "datum"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} är inget datum; skriv ÅÅÅÅ-MM-DD, t.ex. 2027-01-31", param, ctx)


class WholeNumber(click.ParamType):
    """An integer, optionally within bounds, refused in Swedish."""

    name = "heltal"

    def __init__(self, minimum: int | None = None, maximum: int | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            number = value
        else:
            try:
                number = int(str(value).strip())
            except ValueError:
                self.fail(f"{value!r} är inget heltal", param, ctx)
        if (self.minimum is not None and number < self.minimum) or (self.maximum is not None and number > self.maximum):
            self.fail(f"{number} ligger utanför det tillåtna: {self._bounds()}", param, ctx)
        return number

    def _bounds(self) -> str:
        if self.maximum is None:
            return f"minst {self.minimum}"
        if self.minimum is None:
            return f"högst {self.maximum}"
        return f"från {self.minimum} till {self.maximum}"
