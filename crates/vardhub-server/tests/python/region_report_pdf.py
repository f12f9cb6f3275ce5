"""Reads region-report PDFs with pypdf and prints, as JSON, each file's page count and extracted
text (whitespace collapsed), so that the Rust test can check the region's name and every
indicator's title. Fails when a file is not a PDF pypdf can read or has no page.

usage: region_report_pdf.py FILE [FILE …]
"""
import json
import sys

from pypdf import PdfReader


def main(paths):
    out = {}
    for path in paths:
        reader = PdfReader(path, strict=True)
        if len(reader.pages) == 0:
            raise SystemExit(f"{path}: no pages")
        text = " ".join(page.extract_text() or "" for page in reader.pages)
        out[path] = {
            "pages": len(reader.pages),
            "title": (reader.metadata or {}).get("/Title", ""),
            "text": " ".join(text.split()),
        }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main(sys.argv[1:])
