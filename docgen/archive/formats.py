"""The file formats a package holds: MIME type, PRONOM id (The National Archives' registry), name and version."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    mime: str
    pronom: str | None
    name: str
    version: str | None = None


# Every PDF docgen makes or certifies is PDF/A-2b (docgen verify checks it; a signature keeps it).
FORMATS = {
    ".pdf": Format("application/pdf", "fmt/354", "Acrobat PDF/A - Portable Document Format", "2b"),
    ".docx": Format("application/vnd.openxmlformats-officedocument.wordprocessingml.document", "fmt/412",
                    "Microsoft Word for Windows", "2007 onwards"),
    ".json": Format("application/json", "fmt/817", "JSON Data Interchange Format"),
    # JSON Lines has no PRONOM id: named, not registered.
    ".jsonl": Format("application/jsonl", None, "JSON Lines"),
    ".yaml": Format("application/yaml", "fmt/818", "YAML"),
    ".txt": Format("text/plain", "x-fmt/111", "Plain Text File"),
    ".xml": Format("application/xml", "fmt/101", "Extensible Markup Language", "1.0"),
    ".xsd": Format("application/xml", "x-fmt/280", "XML Schema Definition"),
}


def format_of(name: str) -> Format:
    suffix = name[name.rfind("."):] if "." in name else ""
    return FORMATS.get(suffix, Format("application/octet-stream", None, "okänt format"))
