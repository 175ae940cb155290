"""Runs under the E-ARK validator's own Python (``eark-validator`` pins lxml 5.1.0, docgen another):
validates one package and prints the outcome as one JSON object.

    python eark_worker.py VOCABULARIES PACKAGE

The validator reads four controlled vocabularies from the E-ARK site when it is imported; they are served here
from VOCABULARIES (the files docgen ships, CC BY 4.0 "E-ARK CSIP, DILCIS Board"), so it runs without a network.
Only the standard library and the validator are imported.
"""

import io
import json
import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path


def _offline(vocabularies: Path):
    def urlopen(url, *_args, **_kwargs):
        name = Path(urllib.parse.urlparse(getattr(url, "full_url", url)).path).name
        return io.BytesIO((vocabularies / name).read_bytes())
    return urlopen


def _results(messages) -> list:
    return [{"regel": m.rule_id, "nivå": str(getattr(m.severity, "value", m.severity)), "plats": m.location,
             "meddelande": m.message} for m in messages]


def main() -> int:
    vocabularies, package = Path(sys.argv[1]), Path(sys.argv[2])
    urllib.request.urlopen = _offline(vocabularies)  # before the validator is imported: it reads them then
    # The validator unpacks a zip into the temporary folder and leaves it there: give it one of its own.
    scratch = tempfile.mkdtemp(prefix="docgen-eark-")
    tempfile.tempdir = scratch
    try:
        from eark_validator.packages import PackageValidator
        from eark_validator.specifications.specification import SpecificationVersion

        report = PackageValidator(package, SpecificationVersion.V2_1_0).validation_report
        outcome = {
            "version": _version(),
            "struktur": str(getattr(report.structure.status, "value", report.structure.status)),
            "strukturmeddelanden": _results(report.structure.messages),
            "schema": None, "schemameddelanden": [], "schematron": None, "schematronmeddelanden": [],
        }
        if report.metadata is not None:
            schema, rules = report.metadata.schema_results, report.metadata.schematron_results
            outcome.update({"schema": str(getattr(schema.status, "value", schema.status)),
                            "schemameddelanden": _results(schema.messages),
                            "schematron": str(getattr(rules.status, "value", rules.status)),
                            "schematronmeddelanden": _results(rules.messages)})
    except Exception as exc:  # the validator's own failure, reported as such rather than as a traceback
        outcome = {"fel": f"{type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(outcome, ensure_ascii=False))
    return 0


def _version() -> str:
    from importlib.metadata import version

    return version("eark-validator")


if __name__ == "__main__":
    sys.exit(main())
