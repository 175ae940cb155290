"""The E-ARK validator (``eark-validator``, the E-ARK project's own), run on a package docgen wrote.

It lives in an environment of its own beside docgen's (``.venv/eark``, made by ``make``): it pins lxml 5.1.0,
docgen another. :mod:`docgen.archive.eark_worker` runs there and answers in JSON; this module reads the answer.

Two of its CSIP 2.1 rules cannot be met by any package that its own METS schema accepts (version 1.1.3, spec
V2.1.0): SIP14 asks every ``ROLE="CREATOR"`` agent's note for an unqualified ``NOTETYPE="IDENTIFICATIONCODE"``
that mets.xsd forbids, while CSIP15/16 make the software agent a CREATOR with one ``csip:NOTETYPE="SOFTWARE
VERSION"`` note. Such a result, where it points at exactly that note, is shown as the validator's known fault,
never hidden and never counted as the package's; every other error stops ``docgen arkivera``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from docgen.errors import ToolError

WORKER = Path(__file__).with_name("eark_worker.py")
VOCABULARIES = Path(__file__).with_name("vokabularer")
TIMEOUT = 120.0

KNOWN_FAULTS = {
    "SIP14": "validatorns kända fel (eark-validator 1.1.3): regeln kräver ett NOTETYPE utan namnrymd, som "
             "METS-schemat inte tillåter, på programvaruagentens obligatoriska versionsanteckning",
}


@dataclass(frozen=True)
class Finding:
    rule: str
    level: str
    """``Error``, ``Warn`` or ``Info`` as the validator says."""
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.rule}: {self.message}"


@dataclass(frozen=True)
class Verdict:
    version: str
    structure: str
    schema: str | None
    schematron: str | None
    errors: tuple[Finding, ...]
    known_faults: tuple[Finding, ...]
    warnings: tuple[Finding, ...]

    @property
    def valid(self) -> bool:
        """Well-formed, schema-valid, and no Schematron error but the validator's own known fault."""
        return self.structure == "WellFormed" and self.schema == "VALID" and not self.errors


def python() -> str:
    """The validator environment's Python: ``DOCGEN_EARK_PYTHON``, else ``eark/`` inside docgen's environment."""
    return os.environ.get("DOCGEN_EARK_PYTHON") or str(Path(sys.prefix) / "eark" / "bin" / "python")


def validate(package: Path) -> Verdict:
    """The validator's verdict on ``package`` (a folder or a zip); :class:`ToolError` if it cannot run."""
    command = [python(), "-I", str(WORKER), str(VOCABULARIES), str(package)]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT, check=False,
                              stdin=subprocess.DEVNULL)
    except FileNotFoundError:
        raise ToolError(f"E-ARK-validatorn saknas ({command[0]}); kör make, eller ange dess Python i "
                        "DOCGEN_EARK_PYTHON") from None
    except subprocess.TimeoutExpired:
        raise ToolError(f"E-ARK-validatorn svarade inte inom {TIMEOUT:.0f} s") from None
    try:
        outcome = json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        last = (done.stderr.strip().splitlines() or ["inget svar"])[-1]
        raise ToolError(f"E-ARK-validatorn gick inte att köra (slutstatus {done.returncode}): {last}") from None
    if "fel" in outcome:
        raise ToolError(f"E-ARK-validatorn stannade på paketet: {outcome['fel']}")
    return _verdict(outcome)


def _verdict(outcome: dict) -> Verdict:
    findings = [Finding(m["regel"], m["nivå"], m["plats"], m["meddelande"])
                for key in ("strukturmeddelanden", "schemameddelanden", "schematronmeddelanden")
                for m in outcome[key]]
    errors = [f for f in findings if f.level == "Error"]
    known = [f for f in errors if _known_fault(f)]
    return Verdict(outcome["version"], outcome["struktur"], outcome["schema"], outcome["schematron"],
                   tuple(f for f in errors if f not in known), tuple(known),
                   tuple(f for f in findings if f.level == "Warn"))


def _known_fault(finding: Finding) -> bool:
    # Only where it points at the software agent's version note: the same rule elsewhere is the package's fault.
    return finding.rule in KNOWN_FAULTS and "agent" in finding.where and "CREATOR" in finding.where
