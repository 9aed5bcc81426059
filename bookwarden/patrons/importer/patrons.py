"""Importing patrons (and their cards and guardians)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import CONTACT_FIELDS, Card, Patron
from .base import _Importer
from .formats import MAPPINGS, PatronMapping
from .parsing import BATCH_SIZE, _parse_bool, _parse_date, _RowInvalid, _text
from .seen import GuardianLinks


@dataclass
class _Row:
    line: int
    values: dict[str, Any]


class _PatronImporter(_Importer):
    kind = "patrons"
    KEYS = ("ids", "cards")
    FIELDS = (*CONTACT_FIELDS, "home_branch_id", "guardian_name", "barred")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (line, ward ils_id, guardian ils_id) of the batch being read; with the batch
        # written, they go to ``self.links`` and are resolved after every row is written,
        # since a guardian may come later in the file.
        self.guardian_links: list[tuple[int, str, str]] = []
        self.links = GuardianLinks()
        self.touched: set[str] = set()  # of this batch: patrons created or changed
        self.header: list[str] = []
        self.mapping: PatronMapping = MAPPINGS[self.format]

    def begin(self, header: list[str]) -> None:
        super().begin(header)
        self.header = header

    def parse(self, line: int, fields: list[str]) -> _Row:
        values, columns = self.mapping(dict(zip(self.header, fields, strict=True)))
        return self.parse_values(line, values, columns)

    def parse_values(self, line: int, values: dict[str, str], columns: dict[str, str]) -> _Row:
        def col(name: str) -> str:
            return columns.get(name, name)

        ils_id = _text(values, "ils_id", 64)
        self.check_id(line, ils_id, col("ils_id"))
        card = _text(values, "card_number", 64)
        if card:
            self.keys.note("cards", line, card, col("card_number"))
        out: dict[str, Any] = {"ils_id": ils_id, "card_number": card}
        lengths = {
            "first_name": 150,
            "last_name": 150,
            "address_line1": 200,
            "address_line2": 200,
            "city": 100,
            "state": 100,
            "postal_code": 20,
            "phone": 50,
            "email": 254,
            "guardian_name": 200,
        }
        for name, length in lengths.items():
            try:
                out[name] = _text(values, name, length, required=name == "last_name")
            except _RowInvalid as exc:
                raise _RowInvalid(col(name), exc.reason) from None
        if out["email"] and "@" not in out["email"]:
            raise _RowInvalid(col("email"), f"not an e-mail address: {out['email']!r}")
        out["birth_date"] = _parse_date(values.get("birth_date", ""), col("birth_date"))
        if out["birth_date"] and out["birth_date"] > timezone.localdate():
            raise _RowInvalid(col("birth_date"), "birth date is in the future")
        out["card_expires_on"] = _parse_date(
            values.get("card_expires_on", ""), col("card_expires_on")
        )
        out["barred"] = _parse_bool(values.get("barred", ""), col("barred"))
        out["home_branch_id"] = self.branch_id(
            (values.get("home_branch") or "").strip(), col("home_branch")
        )
        guardian = (values.get("guardian_ils_id") or "").strip()
        if guardian:
            if guardian == ils_id:
                raise _RowInvalid(col("guardian_ils_id"), "a patron cannot be their own guardian")
            self.guardian_links.append((line, ils_id, guardian))
        return _Row(line, out)

    @staticmethod
    def line_of(row: _Row) -> int:
        return row.line

    def flush(self, batch: list[_Row]) -> list[_Row]:
        batch = super().flush(batch)
        lines = {row.line for row in batch}
        touched = self.touched
        # A link of a row refused (a duplicate, for one) is not made.
        self.links.add(
            [
                (line, ward, guardian, ward in touched)
                for line, ward, guardian in self.guardian_links
                if line in lines
            ]
        )
        self.guardian_links.clear()
        touched.clear()
        return batch

    def write(self, batch: list[_Row]) -> None:
        ids = [row.values["ils_id"] for row in batch]
        existing = {
            p.ils_id: p
            for p in Patron.objects.filter(
                library=self.library, ils_source=self.source_name, ils_id__in=ids
            ).exclude(ils_id="")  # matches the partial unique index, so it is used
        }
        numbers = [row.values["card_number"] for row in batch if row.values["card_number"]]
        cards = {c.number: c for c in Card.objects.filter(library=self.library, number__in=numbers)}
        new: list[Patron] = []
        changed: list[Patron] = []
        card_rows: list[tuple[dict[str, Any], Card | None]] = []
        fields = self.updatable(self.FIELDS)
        expiry_given = self.present is None or "card_expires_on" in self.present
        for row in batch:
            v = row.values
            patron = existing.get(v["ils_id"])
            card = cards.get(v["card_number"]) if v["card_number"] else None
            if card is not None and (patron is None or card.patron_id != patron.pk):
                self.errors.add(
                    row.line,
                    "card_number",
                    "card number already belongs to another patron in this library",
                )
                continue
            card_changed = bool(v["card_number"]) and (
                card is None or (expiry_given and card.expires_on != v["card_expires_on"])
            )
            if card_changed:
                card_rows.append((v, card))
            if patron is None:
                new.append(
                    Patron(
                        library=self.library,
                        ils_source=self.source_name,
                        ils_id=v["ils_id"],
                        **{name: v[name] for name in self.FIELDS},
                    )
                )
                continue
            diff = [name for name in fields if getattr(patron, name) != v[name]]
            for name in diff:
                setattr(patron, name, v[name])
            if diff:
                changed.append(patron)
            if diff or card_changed:
                self.touched.add(v["ils_id"])
                self.result.updated += 1
            else:
                self.result.unchanged += 1
        if self.errors:
            return
        Patron.objects.bulk_create(new, batch_size=BATCH_SIZE)
        if changed:
            Patron.objects.bulk_update(changed, fields, batch_size=BATCH_SIZE)
        self.result.created += len(new)
        self.touched.update(p.ils_id for p in new)
        if any(p.pk is None for p in new):  # a backend that returns no ids on bulk insert
            pks = dict(
                Patron.objects.filter(
                    library=self.library,
                    ils_source=self.source_name,
                    ils_id__in=[p.ils_id for p in new],
                )
                .exclude(ils_id="")
                .values_list("ils_id", "pk")
            )
            for p in new:
                p.pk = pks[p.ils_id]
        by_id = {p.ils_id: p for p in [*new, *existing.values()]}
        new_cards: list[Card] = []
        changed_cards: list[Card] = []
        for v, card in card_rows:
            if card is None:
                new_cards.append(
                    Card(
                        library=self.library,
                        patron=by_id[v["ils_id"]],
                        number=v["card_number"],
                        expires_on=v["card_expires_on"],
                    )
                )
            else:
                card.expires_on = v["card_expires_on"]
                changed_cards.append(card)
        Card.objects.bulk_create(new_cards, batch_size=BATCH_SIZE)
        if changed_cards:
            Card.objects.bulk_update(changed_cards, ["expires_on"], batch_size=BATCH_SIZE)
        self.result.cards_created += len(new_cards)

    def finish(self) -> None:
        """The guardian links, a chunk at a time in the order of the file (read back from
        :class:`~.seen.GuardianLinks`): memory holds one chunk, not the whole file."""
        for links in self.links.chunks(BATCH_SIZE):
            self.link_guardians(links)

    def link_guardians(self, links: list[tuple[int, str, str, bool]]) -> None:
        wanted = {g for _, _, g, _ in links} | {w for _, w, _, _ in links}
        pks: dict[str, int] = {}
        current: dict[str, int | None] = {}
        for ils_id, pk, guardian_id in (
            Patron.objects.filter(
                library=self.library, ils_source=self.source_name, ils_id__in=sorted(wanted)
            )
            .exclude(ils_id="")  # matches the partial unique index, so it is used
            .values_list("ils_id", "pk", "guardian_id")
        ):
            pks[ils_id] = pk
            current[ils_id] = guardian_id
        in_file: set[str] = set()
        if self.errors:  # a guardian in the file is unwritten only because of another error
            in_file = self.keys.known("ids", sorted({g for _, _, g, _ in links} - set(pks)))
        updates: list[Patron] = []
        for line, ward, guardian, touched in links:
            guardian_pk = pks.get(guardian)
            if guardian_pk is None:
                if guardian in in_file:
                    continue
                self.errors.add(
                    line, "guardian_ils_id", f"unknown guardian {guardian!r} (not a patron here)"
                )
                continue
            if ward not in pks or current.get(ward) == guardian_pk:
                continue
            updates.append(Patron(pk=pks[ward], guardian_id=guardian_pk))
            if not touched:  # counted unchanged when its row was written
                self.result.unchanged -= 1
                self.result.updated += 1
        if updates and not self.errors:
            Patron.objects.bulk_update(updates, ["guardian"], batch_size=BATCH_SIZE)

    def close(self) -> None:
        super().close()
        self.links.drop()
