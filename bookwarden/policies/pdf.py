"""A person's signed acknowledgement as a PDF for the personnel file (IT-11: "read, sign and
date, return to Human Resources"): the policy and version, its adoption and effective dates,
the version's fingerprint, the typed name, branch, date and library.

The PDF's built-in fonts know Latin-1 only: other characters are written as their closest
Latin-1 letter (é stays é, Ł becomes L) or, failing that, as "?", and the name as typed is
also kept in the PDF's metadata, which is Unicode."""

from __future__ import annotations

import unicodedata

from fpdf import FPDF

from bookwarden.core import when as formats

from .models import Signature

#: Letters that no decomposition turns into Latin-1.
_CLOSEST = {
    "Ł": "L",
    "ł": "l",
    "Đ": "D",
    "đ": "d",
    "Œ": "OE",
    "œ": "oe",
    "\u0131": "i",
    "Ŧ": "T",
    "ŧ": "t",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
}


def latin1(text: str) -> str:
    """``text`` in the characters the PDF's built-in fonts can draw."""
    out = []
    for char in text:
        try:
            char.encode("latin-1")
            out.append(char)
            continue
        except UnicodeEncodeError:
            pass
        if char in _CLOSEST:
            out.append(_CLOSEST[char])
            continue
        decomposed = unicodedata.normalize("NFKD", char)
        plain = "".join(c for c in decomposed if not unicodedata.combining(c))
        out.append(plain.encode("latin-1", "ignore").decode("latin-1") or "?")
    return "".join(out)


def acknowledgement_pdf(signature: Signature) -> bytes:
    version = signature.version
    policy = version.policy
    library = signature.library
    pdf = FPDF(format="letter")
    pdf.set_title(latin1(f"Acknowledgement: {policy.title}"))
    pdf.set_author(signature.typed_name)
    pdf.set_creator("Bookwarden")
    pdf.add_page()
    pdf.set_margins(20, 20, 20)
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, latin1(f"{library.name}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(
        0, 8, latin1(f"Acknowledgement of the {policy.title}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.ln(4)
    pdf.set_font("Helvetica", "", 11)
    statement = (
        "I have read the notice that library computers, mail and networks are monitored."
        if policy.kind == "monitoring_notice"
        else "I have read this policy, I understand it, and I agree to follow it."
    )
    pdf.multi_cell(0, 6, latin1(statement), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    facts = [
        ("Policy", policy.title),
        ("Version", str(version.number)),
        (
            "Adopted by the board",
            formats.day(version.adopted_on) if version.adopted_on else "Not recorded",
        ),
        ("Approved by", version.approved_by or "Not recorded"),
        ("In effect from", formats.day(version.effective_on)),
        ("Fingerprint (SHA-256)", version.fingerprint),
        ("Signed by (typed name)", signature.typed_name),
        ("Account", signature.user.username),
        ("Branch", signature.branch.name if signature.branch else "Whole library"),
        ("Date", formats.day(signature.signed_on)),
        ("Signed at", formats.when(signature.signed_at, library=library)),
        ("Library", library.name),
    ]
    for label, value in facts:
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(55, 7, latin1(label))
        if value == version.fingerprint:
            pdf.set_font("Courier", "", 8)
        else:
            pdf.set_font("Helvetica", "", 10)
        pdf.multi_cell(0, 7, latin1(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "I", 9)
    pdf.multi_cell(
        0,
        5,
        "The fingerprint names exactly the text that was signed: the same text gives the same "
        "fingerprint. Return this form to Human Resources for the personnel file.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    return bytes(pdf.output())
