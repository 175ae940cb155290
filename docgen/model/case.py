"""The data model at the centre of docgen: the association, its members, a meeting.

Field names are English (code), aliases are the Swedish YAML keys the
secretary writes; descriptions are Swedish because they end up in the JSON
Schema that the secretary's editor shows. Models forbid unknown keys, so a
mistyped key is an error rather than a silently ignored value.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, field_validator

from docgen.model import calendar
from docgen.model import formatting as fmt
from docgen.model.addresses import SINGLE_LINE, sendable
from docgen.model.allocation import Share, allocate_guarantee
from docgen.model.filenames import ASSOCIATION_FILE

ALL_MEMBERS = "Medlemskommunerna"
"""The recipient that means every member (``Beslutet skickas till``)."""
FILE = "Akt"
"""The recipient that means the association's own file."""


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True,
                              populate_by_name=False)


def as_text(value: object) -> object:
    """A YAML number (5, 2026, a council paragraph's 45) where a text is expected is meant as text."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _to_decimal(value: object) -> object:
    # 13,08 (Swedish) and 13.08 (YAML number) both mean thirteen point zero eight;
    # a float goes through str() so that 13.08 does not become 13.0799999...
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, str):
        return value.replace(",", ".").replace("\u00a0", "").replace(" ", "").rstrip("%")
    return value


# Lengths are bounded where Word or PDF bound them: a document's title and subject (core properties,
# at most 255 characters in Word) are built from a heading or a request's subject and a member's or the
# association's name; other one-line texts stand in a table cell or a line; Markdown is a whole case.
MAX_NAME = 100
MAX_HEADING = 200
MAX_LINE = 1_000
MAX_MARKDOWN = 100_000

Text = Annotated[str, Field(min_length=1, max_length=MAX_LINE)]
# Names, headings and what stands in an address line or an e-mail header are one line (model.addresses).
Line = Annotated[str, Field(min_length=1, max_length=MAX_LINE, pattern=SINGLE_LINE)]
Name = Annotated[str, Field(min_length=1, max_length=MAX_NAME, pattern=SINGLE_LINE)]
Heading = Annotated[str, Field(min_length=1, max_length=MAX_HEADING, pattern=SINGLE_LINE)]
EMAIL = r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$"
Email = Annotated[str, Field(min_length=1, max_length=MAX_LINE, pattern=EMAIL), AfterValidator(sendable)]
Markdown = Annotated[str, Field(max_length=MAX_MARKDOWN)]
# The JSON Schemas describe every form a validator below accepts (json_schema_input_type), not only the
# type it turns them into: the secretary's editor must not mark as wrong what docgen reads.
PercentText = Annotated[str, Field(pattern=r"^\s*[0-9]+([.,][0-9]+)?\s*%?\s*$")]
Percent = Annotated[Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)], BeforeValidator(
    _to_decimal, json_schema_input_type=Annotated[float, Field(ge=0, le=100)] | PercentText)]
LooseText = Annotated[Text, BeforeValidator(as_text, json_schema_input_type=Text | int)]
LooseLine = Annotated[Line, BeforeValidator(as_text, json_schema_input_type=Line | int)]
# Member ids name folders and files in out/.
Slug = Annotated[str, Field(max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]


class Address(Model):
    street: Line | None = Field(None, alias="gatuadress", description="Gatuadress eller box.")
    postcode: LooseLine = Field(alias="postnummer", description="Postnummer, t.ex. 583 30.")
    city: Line = Field(alias="ort", description="Postort.")

    @property
    def lines(self) -> list[str]:
        lines = [self.street] if self.street else []
        return [*lines, f"{self.postcode} {self.city}"]


class Contact(Model):
    name: Name = Field(alias="namn")
    title: Line | None = Field(None, alias="titel")
    email: Email | None = Field(None, alias="epost")
    phone: LooseLine | None = Field(None, alias="telefon")


class Member(Model):
    id: Slug = Field(description="Kort namn utan å, ä, ö: mappnamn i out/, t.ex. boxholm.")
    name: Name = Field(alias="namn", description="Medlemmens namn, t.ex. Boxholms kommun.")
    council: Name = Field("Kommunfullmäktige", alias="fullmäktige",
                          description="Medlemmens beslutande församling.")
    registry_email: Email = Field(alias="registrator_epost",
                                  description="Registratorns e-postadress: dit handlingarna skickas.")
    address: Address = Field(alias="postadress")
    weight: int | None = Field(None, alias="fördelningstal", gt=0,
                               description="Medlemmens tal enligt fördelningsgrunden (t.ex. invånarantal); "
                                           "andelarna räknas fram med största-restmetoden.")
    share: Percent | None = Field(None, alias="andel",
                                  description="Medlemmens andel i procent med högst två decimaler, "
                                              "t.ex. 13,08; alla andelar ska bli exakt 100.")
    facts: dict[str, dt.date | LooseText | None] = Field(
        default_factory=dict, alias="uppgifter",
        description="Medlemmens egna uppgifter som hemställan hänvisar till; "
                    "tomt värde (~) betyder att kommunen själv fyller i.")

    @property
    def genitive(self) -> str:
        return fmt.genitive(self.name)

    @property
    def council_in(self) -> str:
        """How a document addressed to the member names it: ``Kommunfullmäktige i Ydre kommun``.

        The isolation check looks for exactly this phrase, so every document builds it here.
        """
        return f"{self.council} i {self.name}"


class Distribution(Model):
    description: Text = Field(alias="beskrivning",
                              description="Fördelningsgrunden i ord, t.ex. invånarantal den 31 december 2025.")


class AgreementReturn(Model):
    """How the members sign and return a new regressavtal, and by when."""

    manner: Literal["pappersoriginal", "skannat", "elektroniskt"] = Field(
        "pappersoriginal", alias="sätt",
        description="Hur kommunen undertecknar och skickar tillbaka avtalet: pappersoriginal (med post till "
                    "förbundets postadress), skannat (som PDF till epost nedan) eller elektroniskt "
                    "(förbundet skickar avtalet för elektronisk underskrift till den kommunen anger).")
    email: Text | None = Field(None, alias="epost", pattern=r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$",
                               description="Dit ett skannat avtal skickas och dit kommunen anger vem som "
                                           "undertecknar elektroniskt; utelämnat = förbundets epost.")
    days: int = Field(30, alias="dagar_efter_beslut", gt=0, le=365,
                      description="Senast så många dagar efter fullmäktiges beslut ska det undertecknade "
                                  "avtalet ha kommit tillbaka.")


SignerRole = Literal["justerare", "ordförande", "sekreterare"]


class Signing(Model):
    signers: list[SignerRole] = Field(["justerare", "ordförande", "sekreterare"], alias="undertecknar",
                                      min_length=1,
                                      description="Vilka som skriver under protokollet; standard: justerarna, "
                                                  "ordföranden och sekreteraren.")
    trust_roots: list[Text] = Field(default_factory=list, alias="betrodda_rotcertifikat",
                                    description="Rotcertifikat (PEM eller DER) som underskrifterna prövas mot, "
                                                "relativt förbundets YAML-fil.")
    timestamp_url: Text | None = Field(None, alias="tidsstämpelserver",
                                       description="Adress till en tidsstämpeltjänst (RFC 3161): underskrifterna "
                                                   "får då en betrodd tid (PAdES B-T).")


class ArchiveDelivery(Model):
    organisation_number: Annotated[str, Field(pattern=r"^\d{6}-\d{4}$")] | None = Field(
        None, alias="organisationsnummer", description="Förbundets organisationsnummer, t.ex. 222000-1234: "
                                                      "arkivbildarens id i arkivpaketet.")
    authority: Name | None = Field(None, alias="arkivmyndighet",
                                   description="Arkivmyndigheten eller arkivet som tar emot paketen.")
    agreement: Text | None = Field(None, alias="leveransöverenskommelse",
                                   description="Leveransöverenskommelsens beteckning, t.ex. LÖ 2026:3.")


class Association(Model):
    name: Name = Field(alias="namn", description="Förbundets fullständiga namn.")
    short_name: Name = Field(alias="kortnamn")
    registry_prefix: Line = Field(alias="diarieprefix", description="Prefix i ärendelistan, t.ex. ITSAM.")
    address: Address = Field(alias="postadress")
    email: Email | None = Field(None, alias="epost")
    phone: LooseLine | None = Field(None, alias="telefon")
    website: Line | None = Field(None, alias="webbplats")
    archive: Text = Field(alias="förvaringsplats", description="Var protokollen förvaras.")
    notice_board: Text = Field(alias="anslagstavla",
                               description="Anslagstavlan i ord, t.ex. kommunalförbundets digitala anslagstavla.")
    templates: Text | None = Field(None, alias="mallar",
                                   description="Mapp med förbundets egna Word-mallar, relativt förbundets "
                                               "YAML-fil; en mall där används i stället för docgens.")
    amount_unit: Literal["kr", "Tkr", "Mkr"] = Field("Tkr", alias="beloppsenhet")
    min_reply_days: int = Field(42, alias="minsta_svarstid_dagar", ge=0, le=366,
                                description="Minsta antal dagar kommunerna ska ha på sig att svara på en "
                                            "hemställan: docgen send --skicka stoppar ett utskick vars "
                                            "svar_senast ligger närmare än så (standard 42, sex veckor).")
    distribution: Distribution = Field(alias="fördelningsgrund")
    agreement_return: AgreementReturn = Field(
        default_factory=AgreementReturn, alias="regressavtal",
        description="Hur medlemmarna undertecknar och skickar tillbaka ett nytt regressavtal; utelämnat = "
                    "pappersoriginal till förbundets postadress, senast 30 dagar efter fullmäktiges beslut.")
    members: list[Member] = Field(alias="medlemmar", min_length=1)

    delivery: ArchiveDelivery | None = Field(None, alias="arkivleverans",
                                             description="Vad docgen arkivera skriver in i arkivpaketet: "
                                                         "organisationsnummer, arkivmyndighet och "
                                                         "leveransöverenskommelse.")
    signing: Signing = Field(default_factory=lambda: Signing(), alias="elektronisk_justering",
                             description="Vem som skriver under ett protokoll som justeras elektroniskt, och vilka "
                                         "rotcertifikat underskrifterna prövas mot.")

    def member(self, member_id: str) -> Member:
        return next(m for m in self.members if m.id == member_id)

    @property
    def agreement_email(self) -> str | None:
        """Where a scanned regressavtal goes, and who to tell the signer of an electronic one."""
        return self.agreement_return.email or self.email

    def agreement_return_text(self, member: Member) -> list[str]:
        """What the hemställan and its e-mail say about signing and returning the regressavtal: who, how,
        where and by when (an agreement only holds once every party has signed it)."""
        how = self.agreement_return
        council = member.council[:1].lower() + member.council[1:]
        within = f"senast {fmt.integer(how.days)} dagar efter att {council} har beslutat"
        if how.manner == "pappersoriginal":
            returned = (f"Skicka det undertecknade originalet på papper med post till {self.name}, "
                        f"{', '.join(self.address.lines)}, {within}.")
        elif how.manner == "skannat":
            returned = f"Skicka det undertecknade avtalet skannat som PDF till {self.agreement_email}, {within}."
        else:
            returned = (f"Avtalet undertecknas elektroniskt: meddela {self.agreement_email} namn och e-postadress "
                        f"för den eller dem som undertecknar, {within}, så skickar vi avtalet för elektronisk "
                        "underskrift.")
        return [f"Regressavtalet gäller först när samtliga medlemskommuner har undertecknat det. För "
                f"{member.name} undertecknas det av den eller de som {council} utser, ofta kommunstyrelsens "
                "ordförande.", returned]


class Attendee(Model):
    name: Name = Field(alias="namn")
    member: Slug | None = Field(None, alias="medlem", description="Id för den medlem personen företräder.")
    title: Line | None = Field(None, alias="titel", description="T.ex. kommundirektör Ödeshögs kommun.")
    role: Line | None = Field(None, alias="roll", description="T.ex. ordförande, sekreterare.")


class Attendance(Model):
    members: list[Attendee] = Field(alias="ledamöter", min_length=1)
    serving_substitutes: list[Attendee] = Field(default_factory=list, alias="tjänstgörande_ersättare")
    substitutes: list[Attendee] = Field(default_factory=list, alias="ersättare")
    others: list[Attendee] = Field(default_factory=list, alias="övriga_närvarande")

    @property
    def everyone(self) -> list[Attendee]:
        return [*self.members, *self.serving_substitutes, *self.substitutes, *self.others]


class Adjustment(Model):
    """Justering of the protocol."""

    adjusters: list[Name] = Field(alias="justerare", min_length=1)
    date: dt.date = Field(alias="datum", description="Justeringens dag; med elektronisk_underskrift den planerade "
                                                     "dagen, tills den sista har skrivit under.")
    manner: Literal["digitalt", "på plats"] = Field("på plats", alias="sätt")
    place: Line | None = Field(None, alias="plats")
    electronic: bool = Field(False, alias="elektronisk_underskrift",
                             description="Protokollet justeras med elektroniska underskrifter (docgen justera): "
                                         "justeringsdagen blir dagen för den sista underskriften, och inget "
                                         "skickas förrän alla har skrivit under och utdragen är bestyrkta "
                                         "(docgen bestyrk).")
    _signed_on: dt.date | None = PrivateAttr(None)

    @property
    def day(self) -> dt.date:
        """The justering's day: the last required signature's (once all are there), else ``datum``."""
        return self._signed_on or self.date

    @property
    def signed_on(self) -> dt.date | None:
        """The day the last required signer signed, from the justering's record; None until then."""
        return self._signed_on

    def signed(self, day: dt.date | None) -> None:
        """Set by the stage that reads the justering's record (docgen.records.justering)."""
        self._signed_on = day


class Notice(Model):
    """The anslag announcing the justering; dates left out are computed."""

    posted: dt.date | None = Field(None, alias="uppsatt",
                                   description="Dagen anslaget sätts upp; utelämnat = dagen efter justeringen.")
    removed: dt.date | None = Field(None, alias="nedtaget",
                                    description="Dagen anslaget tas ned; utelämnat = sista dagen för "
                                                "överklagande (tre veckor, flyttad från helgdag).")


class Clause(Model):
    text: Text = Field(description="Att-satsen utan inledande 'att'; platshållare som {{ borgensbelopp }}.")
    member_specific: bool = Field(False, alias="medlemmens_uppgift",
                                  description="Satsen har en uppgift som varje kommun fyller i (markeras *).")
    members: list[Slug] | None = Field(None, alias="gäller",
                                       description="Satsen gäller bara dessa medlemmar (id), t.ex. [boxholm, ydre]; "
                                                   "utelämnat = alla.")
    requires: Text | None = Field(None, alias="förutsätter",
                                  description="Satsen gäller bara medlemmar som har denna uppgift under "
                                              "uppgifter i förbundets fil, t.ex. tidigare_kf_beslut; en medlem "
                                              "som gått med senare och saknar uppgiften får inte satsen.")

    def applies_to(self, member: Member) -> bool:
        """Whether ``member``'s proposal carries this clause (the protocol carries every clause)."""
        return ((self.members is None or member.id in self.members)
                and (self.requires is None or self.requires in member.facts))


def _clause(value: object) -> object:
    return {"text": value} if isinstance(value, str) else value


class MemberFact(Model):
    description: Text = Field(alias="beskrivning", description="Vad uppgiften är, visas där den saknas.")
    kind: Literal["datum", "text"] = Field("text", alias="typ")


class Guarantee(Model):
    amount: int = Field(alias="belopp", gt=0, description="Borgensbeloppet i kronor.")


class Request(Model):
    """The direktion's hemställan to every member's council."""

    subject: Heading = Field(alias="ämne", description="Ärendemening i missivet.")
    formula: Text = Field("Kommunfullmäktige beslutar", alias="beslutsformel")
    clauses: list[Annotated[Clause, BeforeValidator(_clause, json_schema_input_type=Text | Clause)]] = Field(
        alias="att_satser", min_length=1,
        description="Att-satserna, var och en som text eller med text: och fler nycklar.")
    member_facts: dict[str, MemberFact] = Field(default_factory=dict, alias="medlemsuppgifter")
    guarantee: Guarantee | None = Field(None, alias="borgen")
    reply_by: dt.date = Field(alias="svar_senast", description="Datum då kommunens beslut senast önskas.")
    new_reply_by: dt.date | None = Field(
        None, alias="nytt_svar_senast",
        description="Nytt datum som en påminnelse efter svar_senast ber om beslutet till; "
                    "docgen remind --nytt-svar-senast går före.")
    contact: Contact = Field(alias="kontaktperson")
    letter_date: dt.date | None = Field(None, alias="missivdatum",
                                        description="Missivets datum; utelämnat = justeringsdagen.")


class Attachment(Model):
    """A paper the decision rests on, as a file that goes with the paragraph's documents."""

    title: Heading = Field(alias="titel", description="Handlingens namn som det står i protokollet och "
                                                      "bland bilagorna, t.ex. Tjänsteskrivelse 2026-03-05.")
    file: Line = Field(alias="fil", description="PDF- eller Word-fil (.pdf, .docx), relativt mötesfilen. "
                                                "En PDF bifogas som den är; en Word-fil görs till PDF/A.")

    @property
    def is_pdf(self) -> bool:
        return self.file.lower().endswith(".pdf")


def _basis_entry(value: object) -> object:
    # A plain line names a paper only; a mapping with fil: also attaches it.
    return value if isinstance(value, dict) else as_text(value)


class Item(Model):
    """One paragraph (§) of the protocol."""

    number: int = Field(alias="nummer", gt=0)
    registry_number: Annotated[str, BeforeValidator(as_text)] = Field(
        alias="dnr", max_length=20, pattern=r"^\d{4}/\d+$", description="Diarienummer, t.ex. 2026/14.")
    heading: Heading = Field(alias="rubrik")
    short_heading: Heading | None = Field(None, alias="kort_rubrik",
                                       description="Rubrik i ärendelistan om den ska vara kortare.")
    decision: Annotated[Markdown, Field(min_length=1)] = Field(alias="beslut", description="Beslutet (Markdown).")
    request: Request | None = Field(None, alias="hemställan")
    description: Markdown = Field("", alias="beskrivning", description="Beskrivning av ärendet (Markdown).")
    basis: list[Annotated[Text | Attachment, BeforeValidator(
        _basis_entry, json_schema_input_type=Text | int | Attachment)]] = Field(
        default_factory=list, alias="beslutsunderlag",
        description="Handlingarna beslutet grundar sig på: en rad text, eller titel: och fil: för en "
                    "handling som bifogas till dem paragrafen skickas till.")
    recipients: list[Text] = Field(alias="skickas_till", min_length=1)

    @property
    def goes_to_members(self) -> bool:
        return any(r != FILE for r in self.recipients)

    @property
    def basis_titles(self) -> list[str]:
        return [entry.title if isinstance(entry, Attachment) else entry for entry in self.basis]

    @property
    def attachments(self) -> list[Attachment]:
        return [entry for entry in self.basis if isinstance(entry, Attachment)]

    def sent_to(self, member: Member) -> bool:
        """Whether the protocol sends this paragraph to ``member`` (to every member, or by name)."""
        return any(r in (ALL_MEMBERS, member.name) for r in self.recipients)


Clock = Annotated[str, Field(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]+)?)?$")]
"""A time as docgen writes it, ``"10:00"`` (also with seconds): not JSON Schema's ``format: time``,
which is RFC 3339's ``10:00:00+01:00``."""


class Meeting(Model):
    association_file: Text = Field(ASSOCIATION_FILE, alias="förbund",
                                   description="Förbundets YAML, relativt mötesfilen.")
    body: Name = Field(alias="organ", description="Organet som sammanträder, t.ex. Direktionen.")
    date: dt.date = Field(alias="datum")
    start: dt.time = Field(alias="tid", description="Starttid, t.ex. 10:00.")
    place: Line = Field(alias="plats")
    attendance: Attendance = Field(alias="närvaro")
    adjustment: Adjustment = Field(alias="justering")
    notice: Notice = Field(default_factory=Notice, alias="anslag")
    first_number: int | None = Field(None, alias="första_paragraf", gt=0,
                                     description="Numret sammanträdets första paragraf ska ha "
                                                 "(nästa efter förra protokollet).")
    items: list[Item] = Field(alias="paragrafer", min_length=1)

    @field_validator("start", mode="before", json_schema_input_type=Clock)
    @classmethod
    def _minutes_as_time(cls, value: object) -> object:
        # YAML 1.1 readers turn 10:00 into 600 (sexagesimal); accept it as minutes. The schema names only the
        # text: JSON Schema cannot tell the integer 600 from 10.00, which a secretary writes meaning ten
        # o'clock, and which pydantic would read as ten seconds past midnight: a number with a point is
        # handed on as text, and refused as a time.
        if isinstance(value, int) and not isinstance(value, bool):
            return dt.time(value // 60, value % 60)
        return str(value) if isinstance(value, float) else value

    @property
    def posted(self) -> dt.date:
        return self.notice.posted or calendar.default_posting(self.adjustment.day)

    @property
    def appeal_ends(self) -> dt.date:
        return calendar.appeal_end(self.posted)

    @property
    def removed(self) -> dt.date:
        return self.notice.removed or self.appeal_ends

    @property
    def slug(self) -> str:
        return f"{self.date.isoformat()}-{ascii_slug(self.body)}"

    @property
    def body_genitive(self) -> str:
        return fmt.genitive(self.body)

    def person_with_role(self, role: str) -> Attendee | None:
        return next((a for a in self.attendance.everyone if a.role == role), None)

    def signers(self, roles: list[SignerRole]) -> list[tuple[str, SignerRole]]:
        """Who must sign the protocol, by name with the role, in ``roles``' order; a role nobody has is left out."""
        found: list[tuple[str, SignerRole]] = []
        for role in roles:
            names = self.adjustment.adjusters if role == "justerare" else [
                a.name for a in self.attendance.everyone if a.role == role]
            found += [(name, role) for name in names if name not in [n for n, _ in found]]
        return found


class Case(Model):
    """An association and one of its meetings: everything one build needs."""

    association: Association
    meeting: Meeting
    sources: tuple[Path, ...] = ()
    """The YAML files the case was read from (meeting, association), as the input stage found them."""
    templates_folder: Path | None = None
    """The association's own template folder (``mallar:``), resolved by the input stage."""
    _shares: dict[int, dict[str, Share]] = PrivateAttr(default_factory=dict)

    @property
    def request_items(self) -> list[Item]:
        """The paragraphs that ask every member's council for a decision, in order."""
        return [item for item in self.meeting.items if item.request]

    def attachment_path(self, attachment: Attachment) -> Path:
        """Where an underlag file is: relative to the meeting's YAML."""
        folder = self.sources[0].parent if self.sources else Path()
        return folder / attachment.file

    def shares(self, item: Item) -> dict[str, Share]:
        """Each member's share of the guarantee ``item`` asks for, by member id (empty: no guarantee)."""
        if item.number not in self._shares:
            self._shares[item.number] = self._allocate(item)
        return self._shares[item.number]

    def _allocate(self, item: Item) -> dict[str, Share]:
        request = item.request
        total = request.guarantee.amount if request and request.guarantee else 0
        if not total:
            return {}
        members = self.association.members
        if all(m.share is not None for m in members):
            # Given shares are exact to the hundredth (validated); amounts follow them.
            weights = [(m.id, int(m.share * 100)) for m in members if m.share is not None]
        elif all(m.weight is not None for m in members):
            weights = [(m.id, m.weight) for m in members if m.weight is not None]
        else:
            return {}
        return {s.key: s for s in allocate_guarantee(total, weights)}

    model_config = ConfigDict(frozen=False, extra="forbid")


def ascii_slug(text: str) -> str:
    """``text`` as a lower-case name for files and folders: a–z, 0–9 and hyphens."""
    table = str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE")
    return re.sub(r"[^a-z0-9]+", "-", text.translate(table).lower()).strip("-")
