"""``docgen arkivera``: the meeting's records as one E-ARK SIP (CSIP 2.1 + SIP 2.1 = FGS Paketstruktur 2.0).

The package is written into a staging folder beside its final place, checked by docgen (every file listed
once, its size and SHA-256 as listed, every XML file valid against the package's own schemas) and by the E-ARK
validator, zipped, and only then moved into place: a failed run leaves no package behind. Its id, names and
times come from the records, its files and zip entries are sorted, the zip's times fixed: the same records
give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from lxml import etree

from docgen.archive import contents as gathered
from docgen.archive import eark, xmlfiles
from docgen.archive.contents import ArchiveError, Contents
from docgen.archive.xmlfiles import FileRef
from docgen.files import write_atomically

SCHEMA_FOLDER = Path(__file__).with_name("schemas")
DATA = "representations/rep1/data"
README = "documentation/LASMIG.txt"
FGS = "E-ARK CSIP 2.1.0 och E-ARK SIP 2.1.0 (Riksarkivets FGS Paketstruktur 2.0, RAFGS1V2.0)"


@dataclass(frozen=True)
class Written:
    folder: Path
    zip: Path
    verdict: eark.Verdict
    lacking: list[str]
    files: int


def package_id(contents: Contents) -> str:
    """The same for every package of this meeting of this association: ``uuid-`` and a name-based UUID."""
    name = f"docgen:{contents.case.association.name}:{contents.case.meeting.slug}"
    return f"uuid-{uuid.uuid5(uuid.NAMESPACE_URL, name)}"


def archive(meeting_file: Path, out_root: Path, target: Path, partial: bool) -> Written:
    contents = gathered.gather(meeting_file, out_root)
    if contents.lacking and not partial:
        raise ArchiveError("paketet blir inte komplett: " + "; ".join(contents.lacking)
                           + ". Vänta tills allt är klart, eller packa ändå med --delvis (paketet säger då vad "
                             "det saknar).")
    identifier = package_id(contents)
    target.mkdir(parents=True, exist_ok=True)
    staging = target / f".{identifier}.bygge"
    if staging.is_symlink() or staging.is_file():
        staging.unlink()
    elif staging.exists():
        shutil.rmtree(staging)
    try:
        root = staging / identifier
        files = write_package(contents, identifier, root)
        problems = check_package(root)
        if problems:
            raise ArchiveError(f"paketet {identifier} håller inte: " + "; ".join(problems))
        verdict = eark.validate(root)
        if not verdict.valid:
            said = "; ".join(str(f) for f in verdict.errors) or f"struktur {verdict.structure}, schema {verdict.schema}"
            raise ArchiveError(f"E-ARK-validatorn underkänner paketet {identifier}: {said}")
        zipped = staging / f"{identifier}.zip"
        write_zip(root, zipped, contents.time)
        _move_into_place(staging, target, identifier)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return Written(target / identifier, target / f"{identifier}.zip", verdict, contents.lacking, files)


def _move_into_place(staging: Path, target: Path, identifier: str) -> None:
    for name in (identifier, f"{identifier}.zip"):
        final = target / name
        if final.is_symlink() or final.is_file():
            final.unlink()
        elif final.exists():
            shutil.rmtree(final)
        (staging / name).rename(final)


def _ref(root: Path, relative: str, base: str, created: dt.datetime) -> FileRef:
    path = root / relative
    data = path.read_bytes()
    href = PurePosixPath(relative).relative_to(base).as_posix() if base else relative
    return FileRef(href, len(data), hashlib.sha256(data).hexdigest(), created)


def _put(root: Path, relative: str, data: bytes) -> None:
    path = root / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomically(path, data, durable=False)


def write_package(contents: Contents, identifier: str, root: Path) -> int:
    """Every file of the package under ``root``; returns how many."""
    case, when = contents.case, contents.time
    software = ("docgen", contents.agents[0].name.removeprefix("docgen "))
    for item in contents.items:
        _put(root, f"{DATA}/{item.path}", item.data)
    for name in xmlfiles.SCHEMAS:
        _put(root, f"schemas/{name}", (SCHEMA_FOLDER / name).read_bytes())
    _put(root, README, readme(contents, identifier).encode("utf-8"))
    data_paths = [f"{DATA}/{item.path}" for item in contents.items]
    _put(root, "representations/rep1/metadata/preservation/premis-rep1.xml",
         xmlfiles.representation_premis(data_paths))
    _put(root, "metadata/preservation/premis.xml", _premis(contents, root, data_paths))
    _put(root, "metadata/descriptive/ead.xml", _description(contents, identifier))
    archive_settings = case.association.delivery
    agents = xmlfiles.Agents(software[0], software[1], case.association.name,
                             f"ORG:{archive_settings.organisation_number}"
                             if archive_settings and archive_settings.organisation_number else None,
                             archive_settings.authority if archive_settings else None,
                             archive_settings.agreement if archive_settings else None)
    label = _label(contents)
    rep = "representations/rep1/"
    _put(root, f"{rep}METS.xml", xmlfiles.representation_mets(
        f"{label} – representation 1", when, agents,
        [_ref(root, p, rep.rstrip("/"), when) for p in data_paths],
        _ref(root, f"{rep}metadata/preservation/premis-rep1.xml", rep.rstrip("/"), when)))
    _put(root, "METS.xml", xmlfiles.package_mets(
        identifier, label, when, agents, _ref(root, "metadata/descriptive/ead.xml", "", when),
        _ref(root, "metadata/preservation/premis.xml", "", when), [_ref(root, README, "", when)],
        [_ref(root, f"schemas/{name}", "", when) for name in xmlfiles.SCHEMAS],
        _ref(root, f"{rep}METS.xml", "", when)))
    check_xml(root)
    return sum(1 for p in root.rglob("*") if p.is_file())


def _label(contents: Contents) -> str:
    meeting = contents.case.meeting
    label = f"{contents.case.association.name}, {meeting.body.lower()}ns sammanträde {meeting.date.isoformat()}"
    return label + (" (delvis)" if contents.lacking else "")


def _premis(contents: Contents, root: Path, data_paths: list[str]) -> bytes:
    objects = []
    for item, path in zip(contents.items, data_paths):
        ref = _ref(root, path, "", contents.time)
        linked = tuple(e.id for e in contents.events if item.path in e.objects)
        objects.append(xmlfiles.PremisObject(path, ref, item.path.rsplit("/", 1)[-1], linked))
    return xmlfiles.premis(objects, contents.events, contents.agents, DATA, "docgen")


def _description(contents: Contents, identifier: str) -> bytes:
    case = contents.case
    meeting = case.meeting
    adjustment = meeting.adjustment
    said = (f"Protokollet justerades {adjustment.day.isoformat()} av {', '.join(adjustment.adjusters)}"
            + (" med elektroniska underskrifter." if adjustment.electronic else "."))
    paragraphs = tuple(xmlfiles.Paragraph(item.number, item.heading, item.registry_number or None,
                                          item.decision, tuple(item.recipients)) for item in meeting.items)
    return xmlfiles.ead(xmlfiles.Description(
        identifier, f"Protokoll {meeting.body} {meeting.date.isoformat()}", meeting.body, case.association.name,
        meeting.date, contents.time, contents.agents[0].name, said, tuple(contents.lacking), paragraphs))


def readme(contents: Contents, identifier: str) -> str:
    case = contents.case
    lines = [f"Arkivpaket {identifier}", "",
             f"{case.association.name}: {case.meeting.body}, sammanträdet {case.meeting.date.isoformat()}.",
             f"Paketstruktur: {FGS}.", "",
             "Innehåll (representations/rep1/data/):"]
    lines += [f"  {item.path}  –  {item.title}" for item in contents.items]
    lines += ["", "Beskrivning: metadata/descriptive/ead.xml (EAD 3): sammanträdet och varje paragraf.",
              "Bevarande: metadata/preservation/premis.xml (PREMIS 3): varje fils SHA-256, storlek och format "
              "(PRONOM), och händelserna: skapad, kontrollerad, underskriven, skickad, besvarad.", ""]
    if contents.lacking:
        lines += ["PAKETET ÄR DELVIS. Det saknar:"] + [f"  – {lack}" for lack in contents.lacking] + [""]
    else:
        lines += ["Paketet är komplett: protokollet justerat, handlingarna skickade och alla svar mottagna.", ""]
    lines += ["Scheman i schemas/: mets.xsd (METS 1.12, Digital Library Federation, CC0 1.0), xlink.xsd och "
              "premis.xsd (Library of Congress), DILCISExtensionMETS.xsd och DILCISExtensionSIPMETS.xsd "
              "(E-ARK CSIP och E-ARK SIP, DILCIS Board, CC BY 4.0), ead3.xsd (EAD3 1.1.1, Society of American "
              "Archivists, CC0 1.0).", f"Skapat av {contents.agents[0].name}.", ""]
    return "\n".join(lines)


# --- checks -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PackageCheck:
    problems: list[str]
    """docgen's own findings, and the validator's errors."""
    verdict: eark.Verdict | None


def verify_package(path: Path) -> PackageCheck:
    """A package folder or its zip, checked as ``docgen arkivera`` checks what it writes (``docgen verify``)."""
    if path.is_dir():
        return _verify_folder(path)
    with tempfile.TemporaryDirectory(prefix="docgen-arkiv-") as scratch:
        try:
            with zipfile.ZipFile(path) as archive_file:
                names = archive_file.namelist()
                tops = {PurePosixPath(name).parts[0] for name in names}
                if len(tops) != 1 or any(n.startswith("/") or ".." in PurePosixPath(n).parts for n in names):
                    return PackageCheck([f"{path.name} ska ha precis en mapp överst och inga sökvägar utanför den"],
                                        None)
                archive_file.extractall(scratch)
        except (zipfile.BadZipFile, OSError) as exc:
            return PackageCheck([f"{path.name} går inte att packa upp ({exc})"], None)
        return _verify_folder(Path(scratch) / tops.pop())


def _verify_folder(root: Path) -> PackageCheck:
    problems = check_package(root)
    if (root / "metadata" / "preservation" / "premis.xml").is_file():
        problems += [p for p in check_premis(root) if p not in problems]
    try:
        check_xml(root)
    except ArchiveError as exc:
        problems.append(str(exc))
    verdict = eark.validate(root)
    problems += [f"E-ARK-validatorn: {finding}" for finding in verdict.errors]
    if verdict.structure != "WellFormed":
        problems.append(f"E-ARK-validatorn: strukturen är {verdict.structure}")
    return PackageCheck(problems, verdict)

_METS_NS = {"mets": xmlfiles.METS, "xlink": xmlfiles.XLINK}


def check_package(root: Path) -> list[str]:
    """What does not hold in the package at ``root``: a file listed but missing or changed, a file not listed.

    The E-ARK validator checks neither (1.1.3 reads no file's digest and no representation's METS): docgen does.
    """
    problems: list[str] = []
    listed: set[str] = {"METS.xml"}
    for mets in ("METS.xml", "representations/rep1/METS.xml"):
        path = root / mets
        if not path.is_file():
            problems.append(f"{mets} saknas")
            continue
        base = PurePosixPath(mets).parent
        try:
            tree = etree.parse(str(path), etree.XMLParser(no_network=True, resolve_entities=False))
        except etree.XMLSyntaxError as exc:
            problems.append(f"{mets} är ingen giltig XML ({exc})")
            continue
        for element in [*tree.iterfind(".//mets:file", _METS_NS), *tree.iterfind(".//mets:mdRef", _METS_NS)]:
            location = element.find("mets:FLocat", _METS_NS) if element.tag.endswith("file") else element
            href = location.get(f"{{{xmlfiles.XLINK}}}href") if location is not None else None
            if not href:
                problems.append(f"{mets}:{element.sourceline}: en fil utan plats")
                continue
            relative = (base / href).as_posix()
            listed.add(relative)
            problems += _check_file(root / relative, relative, element)
    for path in sorted(root.rglob("*")):
        relative = path.relative_to(root).as_posix()
        if path.is_file() and relative not in listed:
            problems.append(f"{relative} finns i paketet men inte i METS")
    return problems


def _check_file(path: Path, relative: str, element: etree._Element) -> list[str]:
    if not path.is_file():
        return [f"{relative} saknas"]
    data = path.read_bytes()
    problems = []
    if element.get("SIZE") != str(len(data)):
        problems.append(f"{relative} har {len(data)} byte, METS säger {element.get('SIZE')}")
    if element.get("CHECKSUMTYPE") != "SHA-256" or element.get("CHECKSUM") != hashlib.sha256(data).hexdigest():
        problems.append(f"{relative} har inte den SHA-256 som METS anger")
    return problems


def check_premis(root: Path) -> list[str]:
    """Each object's SHA-256 and size in PREMIS against the file's."""
    ns = {"premis": xmlfiles.PREMIS}
    tree = etree.parse(str(root / "metadata" / "preservation" / "premis.xml"))
    problems = []
    for item in tree.iterfind("premis:object", ns):
        relative = item.findtext("premis:objectIdentifier/premis:objectIdentifierValue", namespaces=ns)
        path = root / relative
        if not path.is_file():
            problems.append(f"{relative} saknas")
        elif item.findtext(".//premis:messageDigest", namespaces=ns) != hashlib.sha256(path.read_bytes()).hexdigest():
            problems.append(f"{relative} har inte den SHA-256 som PREMIS anger")
    return problems


def check_xml(root: Path) -> None:
    """Every XML file of the package valid against the package's own schemas (offline)."""
    schemas = (root / "schemas").resolve()
    wrapper = etree.XML(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:docgen:omslag">'
        + "".join(f'<xs:import namespace="{namespace}" schemaLocation="{(schemas / name).as_uri()}"/>'
                  for name, namespace in xmlfiles.SCHEMAS.items())  # xlink first: mets.xsd imports it by URL
        + "</xs:schema>")
    parser = etree.XMLParser(no_network=True, resolve_entities=False)
    schema = etree.XMLSchema(etree.ElementTree(wrapper))
    problems = []
    for path in sorted(root.rglob("*.xml")):
        if not schema.validate(etree.parse(str(path), parser)):
            problems += [f"{path.relative_to(root)}:{e.line}: {e.message}" for e in schema.error_log][:3]
    if problems:
        raise ArchiveError("paketets XML följer inte sina scheman: " + "; ".join(problems))


def write_zip(root: Path, destination: Path, when: dt.datetime) -> None:
    """The package as one zip with its folder on top: entries sorted, times those of the records."""
    stamp = when.timetuple()[:6]
    stamp = (max(stamp[0], 1980), *stamp[1:])
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive_file:
        for path in sorted(root.rglob("*")):
            name = f"{root.name}/{path.relative_to(root).as_posix()}" + ("/" if path.is_dir() else "")
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.create_system = 3
            if path.is_dir():
                info.external_attr = (0o40755 << 16) | 0x10
                archive_file.writestr(info, b"")
            else:
                info.external_attr = 0o100644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive_file.writestr(info, path.read_bytes(), compresslevel=9)
