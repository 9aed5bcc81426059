"""A month of the operations log for the demo (IT-10, CC-9, IT-4, IT-7): incidents (one
acknowledged by some and not others, one breach of patron information), an outside
maintenance visit still waiting for its password change, changes, backups, patching,
network interruptions, a patron violation and a staff violation.

Entries are written through the actions as the installation (``actor=None``) on behalf of
the person who recorded them, with the dates they happened and were recorded; the
acknowledgements and the staff member's own report are made by the people themselves."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from bookwarden.core.demo import DemoWorld, demo_part
from bookwarden.core.models import Branch, Library, User

from . import actions
from .models import EntryKind, EntryStatus, LogEntry, Severity


@dataclass
class _Spec:
    kind: str
    title: str
    narrative: str
    days_ago: float
    by: str
    severity: str = Severity.MEDIUM
    branch: str | None = None
    steps: list[tuple[float, str, str]] = field(default_factory=list)  # (days ago, who, text)
    close: bool = False  # closed half a day after the last step
    status: str = EntryStatus.OPEN
    preventive: str = ""
    outside: str = ""
    patron_data: bool = False
    devices: str = ""
    accounts: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)


NEW_MADRID: tuple[_Spec, ...] = (
    _Spec(
        EntryKind.MALWARE,
        "Ransomware warning on a public computer at Rhodes Memorial",
        "The antivirus on public PC RM-PUB-03 quarantined a ransomware dropper from a USB "
        "stick a patron plugged in. The PC was taken off the network at once.",
        27,
        "it_staff",
        Severity.HIGH,
        "rhodes",
        steps=[
            (27, "it_staff", "Unplugged RM-PUB-03 from the network; patron told to see staff."),
            (26.5, "tech_coordinator", "Full scan: one file quarantined, nothing encrypted."),
            (26, "tech_coordinator", "Re-imaged RM-PUB-03 from the golden image."),
        ],
        close=True,
        preventive="Block USB mass storage on public PCs; re-image public PCs nightly.",
        devices="RM-PUB-03",
    ),
    _Spec(
        EntryKind.SERVER_CHANGE,
        "ILS server upgraded to Koha 24.05",
        "Upgraded the integrated library system server from 23.11 to 24.05 after hours.",
        21,
        "tech_coordinator",
        steps=[(21, "tech_coordinator", "Snapshot taken; upgrade run; smoke tests passed.")],
        close=True,
        devices="ils01",
    ),
    _Spec(
        EntryKind.BACKUP,
        "Monthly off-site backup: test restore",
        "Restored last night's ILS backup to the test server and checked circulation totals.",
        18,
        "it_staff",
        steps=[(18, "it_staff", "Restore finished in 42 minutes; totals match.")],
        close=True,
        devices="ils01\nbackup-nas",
    ),
    _Spec(
        EntryKind.FIREWALL_CHANGE,
        "Blocked outbound SMB at the firewall",
        "Outbound TCP 445 is now blocked for every VLAN, as the state cybersecurity advisory "
        "recommends.",
        15,
        "tech_coordinator",
        Severity.HIGH,
        close=True,
        devices="fw01",
    ),
    _Spec(
        EntryKind.NETWORK_INTERRUPTION,
        "Internet outage at New Madrid Memorial",
        "The branch lost its internet connection from 10:05 to 11:40; the provider found a "
        "cut fiber down the street.",
        12,
        "it_staff",
        Severity.HIGH,
        "new-madrid-memorial",
        steps=[(12, "it_staff", "Provider ticket opened; hotspot lent to the desk.")],
        close=True,
    ),
    _Spec(
        EntryKind.ROUTER_CHANGE,
        "Internet provider replaced the router at Portageville",
        "A technician of the internet provider replaced the branch router under warranty.",
        9,
        "tech_coordinator",
        branch="portageville",
        outside="Joe Banks, Delta Fiber",
        extra={"resolve": "tech_coordinator"},
        close=True,
        devices="pv-rtr01",
    ),
    _Spec(
        EntryKind.PATCHING,
        "Windows updates on the public computers",
        "Monthly Windows and browser updates on the public computers of every branch.",
        10,
        "it_staff",
        status=EntryStatus.IN_PROGRESS,
        steps=[(9, "it_staff", "Portageville and New Madrid Memorial done; Rhodes to do.")],
        devices="public PCs (all branches)",
    ),
    _Spec(
        EntryKind.SOFTWARE_CHANGE,
        "PC reservation software: session limit raised to 90 minutes",
        "As the board decided, public computer sessions now last 90 minutes.",
        6,
        "tech_coordinator",
        close=True,
    ),
    _Spec(
        EntryKind.PATRON_VIOLATION,
        "Patron violation: repeated attempts to bypass the content filter",
        "A patron used a proxy site on public PC PV-PUB-02 to bypass the filter three times "
        "this week after being reminded of the computer-use policy.",
        5,
        "assistant_director",
        Severity.MEDIUM,
        "portageville",
        status=EntryStatus.IN_PROGRESS,
        steps=[(5, "assistant_director", "Patron reminded of the policy in person.")],
        devices="PV-PUB-02",
    ),
    _Spec(
        EntryKind.STAFF_VIOLATION,
        "Staff violation: shared login at the circulation desk",
        "A staff login was left signed in and used by others at the Portageville desk.",
        4,
        "tech_coordinator",
        Severity.MEDIUM,
        "portageville",
        accounts=("staff",),
        devices="PV-CIRC-01",
    ),
    _Spec(
        EntryKind.DATA_LOSS,
        "Breach: bookmobile laptop with the holds list stolen",
        "The bookmobile laptop was stolen from the van. Its browser had a downloaded list of "
        "patrons' holds (names, card numbers, titles). The disk was not encrypted.",
        3,
        "tech_coordinator",
        Severity.CRITICAL,
        status=EntryStatus.IN_PROGRESS,
        patron_data=True,
        steps=[
            (3, "tech_coordinator", "Police report filed; laptop's accounts disabled."),
            (2.5, "tech_coordinator", "ILS passwords of the bookmobile account changed."),
        ],
        devices="BM-LAPTOP-01",
        extra={"ack": ("director", "tech_coordinator")},
    ),
    _Spec(
        EntryKind.PHISHING,
        "Phishing e-mail asking for ILS passwords",
        "Several staff received an e-mail pretending to be the ILS vendor asking them to "
        "'re-validate' their passwords on a look-alike site. One clicked the link but did "
        "not type a password.",
        2,
        "it_staff",
        Severity.HIGH,
        status=EntryStatus.IN_PROGRESS,
        steps=[
            (2, "it_staff", "Sender blocked; the message purged from every mailbox."),
            (1.8, "it_staff", "Staff who clicked spoke to; no password entered."),
        ],
        extra={"ack": ("director", "tech_coordinator")},  # HR has not acknowledged yet
    ),
    _Spec(
        EntryKind.MAINTENANCE,
        "Copier vendor serviced the staff network printer",
        "The copier vendor's technician updated the firmware of the staff printer and used "
        "the printer's admin login and the scan-to-folder account.",
        1,
        "it_staff",
        branch="new-madrid-memorial",
        outside="Dave Lutz, Bootheel Office Systems",
        devices="NMM-PRN-01",
    ),
)

CRESCO: tuple[_Spec, ...] = (
    _Spec(
        EntryKind.BACKUP,
        "Weekly backup checked",
        "The weekly backup finished; spot-checked three files.",
        8,
        "outsider",
        close=True,
    ),
    _Spec(
        EntryKind.PATCHING,
        "Router firmware update",
        "Updated the router firmware to the vendor's latest release.",
        3,
        "outsider",
        status=EntryStatus.IN_PROGRESS,
    ),
)


def _ago(now: datetime.datetime, days: float) -> datetime.datetime:
    return now - datetime.timedelta(days=days)


def _build(library: Library, specs: tuple[_Spec, ...], people: dict[str, User]) -> list[LogEntry]:
    now = timezone.now()
    branches = {b.slug: b for b in Branch.objects.filter(library=library)}
    entries = []
    for spec in specs:
        occurred = _ago(now, spec.days_ago)
        entry = actions.create_entry(
            actor=None,
            library=library,
            kind=spec.kind,
            title=spec.title,
            narrative=spec.narrative,
            occurred_at=occurred,
            recorded_at=occurred + datetime.timedelta(minutes=20),
            severity=spec.severity,
            status=spec.status,
            branch=branches[spec.branch] if spec.branch else None,
            affected_branches=[branches[spec.branch]] if spec.branch else [],
            devices=spec.devices,
            accounts=[people[k] for k in spec.accounts],
            preventive_measures=spec.preventive,
            outside_party=bool(spec.outside),
            outside_party_name=spec.outside,
            patron_data_involved=spec.patron_data,
            reported_by=people[spec.by],
        )
        for days, who, text in spec.steps:
            actions.add_step_as_of(entry=entry, text=text, at=_ago(now, days), by=people[who])
        for who in spec.extra.get("ack", ()):
            actions.acknowledge(actor=people[who], entry=entry)
        if "resolve" in spec.extra:
            actions.resolve_outside_access(actor=people[spec.extra["resolve"]], entry=entry)
        if spec.close:
            last = min([days for days, _, _ in spec.steps] or [spec.days_ago])
            actions.close_entry(actor=None, entry=entry, at=_ago(now, max(last - 0.5, 0.1)))
        entries.append(entry)
    return entries


def build_operations_demo(people: dict[str, User]) -> list[LogEntry]:
    """The demo's operations log: a month of New Madrid, a few entries of Cresco."""
    new_madrid = Library.objects.get(slug="new-madrid")
    cresco = Library.objects.get(slug="cresco")
    entries = _build(new_madrid, NEW_MADRID, people)
    # Everyone may report: a staff member's own report from the desk (CC-2).
    entries.append(
        actions.report_concern(
            actor=people["staff"],
            library=new_madrid,
            narrative="The public PC by the window shows a pop-up asking patrons to call "
            "'Microsoft support' at a phone number.",
            branch=Branch.objects.get(library=new_madrid, slug="portageville"),
            device="PV-PUB-01",
        )
    )
    entries += _build(cresco, CRESCO, people)
    entries.append(
        actions.report_concern(
            actor=people["outsider_staff"],
            library=cresco,
            narrative="A patron says the self-checkout printed someone else's receipt.",
        )
    )
    return entries


@demo_part(order=20)
def _operations_part(world: DemoWorld) -> None:
    build_operations_demo(world.people)
