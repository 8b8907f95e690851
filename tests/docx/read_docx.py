"""Reads a DOCX with python-docx (an implementation independent of Brygga's docx-rs) and prints
what a reader of the document sees, as JSON: the core properties, the page size, the headings (style
name and text, in order), every paragraph's text, and each table's cells row by row."""
import io
import json
import sys

import docx
from docx.shared import Mm


def main(path):
    d = docx.Document(path if path != "-" else io.BytesIO(sys.stdin.buffer.read()))
    props = d.core_properties
    section = d.sections[0]
    headings = []
    paragraphs = []
    for p in d.paragraphs:
        style = p.style.name if p.style is not None else ""
        if style.startswith("Heading") or style == "Title":
            headings.append({"style": style, "text": p.text})
        if p.text:
            paragraphs.append({"style": style, "text": p.text})
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    out = {
        "title": props.title,
        "creator": props.author,
        "language": props.language,
        "page_mm": [round(section.page_width / Mm(1)), round(section.page_height / Mm(1))],
        "headings": headings,
        "paragraphs": paragraphs,
        "tables": tables,
    }
    json.dump(out, sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: read_docx.py FILE.docx (or - for stdin)")
    main(sys.argv[1])
