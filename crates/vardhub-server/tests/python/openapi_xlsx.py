"""Read an xlsx download with openpyxl: openapi_xlsx.py FILE.

Prints JSON: the sheet's name, its frozen cell, the header row and every data row as a list of
cell values, types kept (a text cell is a JSON string, a number cell a JSON number, a boolean
a JSON boolean, an empty cell null), and each data cell's number format.
"""

import json
import sys

import openpyxl


def main() -> None:
    book = openpyxl.load_workbook(sys.argv[1])
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows())
    out = {
        "sheets": book.sheetnames,
        "freeze": sheet.freeze_panes,
        "header": [c.value for c in rows[0]],
        "rows": [[c.value for c in r] for r in rows[1:]],
        "types": [[c.data_type for c in r] for r in rows[1:]],
        "formats": [[c.number_format for c in r] for r in rows[1:]],
    }
    json.dump(out, sys.stdout, ensure_ascii=False)


if __name__ == "__main__":
    main()
