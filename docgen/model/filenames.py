"""The files docgen reads beside a meeting's YAML in ``decisions/``, by name.

Nothing is imported here, so that the command can tell a meeting file from
the others (:func:`docgen.terminal.options.meeting_files`) before pydantic
and the YAML loader load: a rebuild with nothing changed answers in a tenth
of a second.
"""

ASSOCIATION_FILE = "forbund.yaml"
"""The association's YAML beside the meeting's when the meeting names none (``förbund:``)."""
SETTINGS_FILE = "e-post.yaml"
"""The e-mail settings beside the meeting's YAML when none are given (``--installningar``)."""
ANSWERS_SUFFIX = "-svar.yaml"
"""The councils' answers to ``<möte>.yaml`` are in ``<möte>-svar.yaml``."""
DRAFT_PREFIX = "nasta-"
"""How the file ``docgen new`` writes begins: a draft, not yet a meeting to build."""
