"""Importing patrons (and their cards and guardians), written set-based (issue 16, CC-6):
plain rows through :class:`~.writers.RowWriter`, no model instances."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from ..models import CONTACT_FIELDS, Card, Patron
from .base import _Importer
from .formats import MAPPINGS, PatronMapping
from .parsing import BATCH_SIZE, _parse_bool, _parse_date, _RowInvalid, _text
from .seen import GuardianLinks
from .writers import RowWriter

FIELDS = (*CONTACT_FIELDS, "home_branch_id", "guardian_name", "barred")
#: The values of an inserted patron row, in order; the other columns get their defaults.
PATRON_NAMES = ("library_id", "ils_source", "ils_id", *FIELDS)
CARD_NAMES = ("library_id", "patron_id", "number", "expires_on")
BIRTH_DATE = FIELDS.index("birth_date")


@dataclass
class _Row:
    line: int
    values: dict[str, Any]


class _PatronImporter(_Importer):
    kind = "patrons"
    KEYS = ("ids", "cards")
    FIELDS = FIELDS

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
        self.today = timezone.localdate()
        self.patron_writer = RowWriter(Patron, PATRON_NAMES)
        self.card_writer = RowWriter(Card, CARD_NAMES)
        # A first import looks up no stored patrons or cards: a batch never meets a row of an
        # earlier batch (a second row with an id or card number of the file is refused).
        self.any_stored = (
            Patron.objects.filter(library=self.library, ils_source=self.source_name)
            .exclude(ils_id="")
            .exists()
        )
        self.any_cards = Card.objects.filter(library=self.library).exists()

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
        born = out["birth_date"]
        # The day of the import's start first: the clock is read again only for a later
        # date (the day may have changed since), not for every row.
        if born and born > self.today and born > timezone.localdate():
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
        """Compare the batch with the stored patrons and cards, then write it set-based
        (:class:`~.writers.RowWriter`): the rows a save of model instances would store."""
        fields = self.updatable(self.FIELDS)
        at = [2 + self.FIELDS.index(name) for name in fields]  # in a stored() tuple
        existing = self.stored(batch)
        cards = self.stored_cards(batch)
        expiry_given = self.present is None or "card_expires_on" in self.present
        library_id, source, db_date = self.library.pk, self.source_name, self.patron_writer.db_date
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        card_rows: list[tuple[dict[str, Any], tuple[int, int, Any] | None]] = []
        for row in batch:
            v = row.values
            old = existing.get(v["ils_id"])
            card = cards.get(v["card_number"]) if v["card_number"] else None
            if card is not None and (old is None or card[1] != old[0]):
                self.errors.add(
                    row.line,
                    "card_number",
                    "card number already belongs to another patron in this library",
                )
                continue
            card_changed = bool(v["card_number"]) and (
                card is None or (expiry_given and card[2] != v["card_expires_on"])
            )
            if card_changed:
                card_rows.append((v, card))
            if old is None:
                values = [v[name] for name in self.FIELDS]
                values[BIRTH_DATE] = db_date(values[BIRTH_DATE])
                new.append((library_id, source, v["ils_id"], *values))
                continue
            diff = any(old[i] != v[name] for name, i in zip(fields, at, strict=True))
            if diff:
                changed.append((*(v[name] for name in fields), old[0]))
            if diff or card_changed:
                self.touched.add(v["ils_id"])
                self.result.updated += 1
            else:
                self.result.unchanged += 1
        if self.errors:
            return
        self.patron_writer.insert(new)
        self.patron_writer.update(fields, changed)
        self.result.created += len(new)
        self.touched.update(row[2] for row in new)
        if card_rows:
            self.write_cards(card_rows, existing)

    def stored(self, batch: list[_Row]) -> dict[str, tuple[Any, ...]]:
        """The stored patrons of the batch: ils_id -> (pk, ils_id, *FIELDS)."""
        if not self.any_stored:
            return {}
        return {
            found[1]: found
            for found in Patron.objects.filter(
                library=self.library,
                ils_source=self.source_name,
                ils_id__in=[row.values["ils_id"] for row in batch],
            )
            .exclude(ils_id="")  # matches the partial unique index, so it is used
            .values_list("pk", "ils_id", *self.FIELDS)
        }

    def stored_cards(self, batch: list[_Row]) -> dict[str, tuple[int, int, Any]]:
        """The library's cards of the batch's numbers: number -> (pk, patron_id,
        expires_on)."""
        numbers = [row.values["card_number"] for row in batch if row.values["card_number"]]
        if not numbers or not self.any_cards:
            return {}
        return {
            number: (pk, patron_id, expires_on)
            for pk, number, patron_id, expires_on in Card.objects.filter(
                library=self.library, number__in=numbers
            ).values_list("pk", "number", "patron_id", "expires_on")
        }

    def write_cards(
        self,
        card_rows: list[tuple[dict[str, Any], tuple[int, int, Any] | None]],
        existing: dict[str, tuple[Any, ...]],
    ) -> None:
        """New cards, and the new expiry of stored ones; the new patrons' ids are read
        back with one query (the partial unique index's)."""
        pks = {ils_id: found[0] for ils_id, found in existing.items()}
        created = [v["ils_id"] for v, card in card_rows if v["ils_id"] not in pks]
        if created:
            pks.update(
                Patron.objects.filter(
                    library=self.library, ils_source=self.source_name, ils_id__in=created
                )
                .exclude(ils_id="")  # matches the partial unique index, so it is used
                .values_list("ils_id", "pk")
            )
        library_id, db_date = self.library.pk, self.card_writer.db_date
        new: list[tuple[Any, ...]] = []
        changed: list[tuple[Any, ...]] = []
        for v, card in card_rows:
            if card is None:
                new.append(
                    (library_id, pks[v["ils_id"]], v["card_number"], db_date(v["card_expires_on"]))
                )
            else:
                changed.append((v["card_expires_on"], card[0]))
        self.card_writer.insert(new)
        self.card_writer.update(["expires_on"], changed)
        self.result.cards_created += len(new)

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
        updates: list[tuple[int, int]] = []  # (guardian pk, ward pk)
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
            updates.append((guardian_pk, pks[ward]))
            if not touched:  # counted unchanged when its row was written
                self.result.unchanged -= 1
                self.result.updated += 1
        if updates and not self.errors:
            self.patron_writer.update(["guardian_id"], updates)

    def close(self) -> None:
        super().close()
        self.links.drop()
