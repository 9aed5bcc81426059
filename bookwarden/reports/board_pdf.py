"""The board report as a PDF (CC-11, CC-12), drawn with fpdf2 (pure Python: pip alone
installs it).  The same sections as the HTML page; the built-in fonts know Latin-1 only,
so text goes through :func:`bookwarden.policies.pdf.latin1` (é stays é, Ł becomes L)."""

from __future__ import annotations

from fpdf import FPDF
from fpdf.fonts import FontFace

from bookwarden.core import when as formats
from bookwarden.policies.pdf import latin1

from .board import BoardReport, Table

_HEAD = FontFace(emphasis="BOLD", fill_color=(230, 234, 238))


def _table(pdf: FPDF, table: Table) -> None:
    if table.caption:
        pdf.set_font("Helvetica", "B", 10)
        pdf.multi_cell(0, 6, latin1(table.caption), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 8)
    if not table.rows:
        pdf.set_font("Helvetica", "I", 9)
        pdf.multi_cell(0, 5, "None in the period.", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
        return
    align = ["RIGHT" if i in table.numeric else "LEFT" for i in range(len(table.headers))]
    with pdf.table(
        headings_style=_HEAD,
        line_height=4.5,
        text_align=tuple(align),
        padding=1,
        first_row_as_headings=True,
        col_widths=table.widths,
    ) as grid:
        grid.row([latin1(h) for h in table.headers])
        for values in table.rows:
            grid.row([latin1(v) for v in values])
    pdf.ln(3)


def board_pdf(report: BoardReport) -> bytes:
    """The report as PDF bytes."""
    library = report.library
    pdf = FPDF(format="letter")
    pdf.set_title(latin1(f"{report.title}: {library.name}"))
    pdf.set_author(latin1(library.name))
    pdf.set_creator("Bookwarden")
    pdf.set_margins(18, 18, 18)
    pdf.set_auto_page_break(True, margin=18)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.multi_cell(0, 9, latin1(library.name), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "B", 13)
    pdf.multi_cell(0, 8, latin1(report.title), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 10)
    made = formats.when(report.generated_at, library=library)
    pdf.multi_cell(
        0,
        6,
        latin1(f"Period: {report.period}. Produced by Bookwarden on {made}."),
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(3)
    for section in report.sections:
        pdf.set_font("Helvetica", "B", 12)
        pdf.multi_cell(0, 8, latin1(section.title), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(0, 5, latin1(paragraph), new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
        for table in section.tables:
            _table(pdf, table)
        pdf.ln(2)
    return bytes(pdf.output())
