#!/usr/bin/env python3
"""Write a large synthetic `vardkontakter` delivery for the streaming/memory benchmark.

Usage: make_big_delivery.py OUT_DIR SIZE_MB

Rows are inpatient stays and primary-care visits in March 2024 for region 01; identities are cycled
from Skatteverket's test personnummer (the only real-shaped numbers allowed), kontakt_id is unique.
The manifest's checksums and row counts are computed while writing, so memory stays flat.
"""
import hashlib, json, os, sys

root = os.path.dirname(os.path.abspath(__file__))
out, size_mb = sys.argv[1], float(sys.argv[2])
target = int(size_mb * 1024 * 1024)
numbers = json.load(open(os.path.join(root, "..", "reference", "skatteverket_test_personnummer.json")))
numbers = [n for n in numbers if n < "2024"]
os.makedirs(out, exist_ok=True)

HEADER = ("kontakt_id;patient_id;patient_id_typ;kon;hemkommun;sjukhus;enhet;mvo;vardform;planerad;besokstyp;"
          "yrkeskategori;inskrivningsdatum;utskrivningsdatum;utskrivningssatt;hdia;drg;drg_vikt;kpp_kostnad;"
          "utskrivningsklar_dagar\r\n")
DIAGNOSES = ["I10", "E11.9", "J44.1", "I50.0", "F32.1", "S72.0", "I21.9", "I63.9"]


def write(name, header, rows_iter):
    h = hashlib.sha256()
    n = 0
    with open(os.path.join(out, name), "wb") as f:
        b = header.encode()
        f.write(b); h.update(b)
        buf = []
        size = len(b)
        for line in rows_iter:
            buf.append(line)
            n += 1
            if len(buf) == 10000:
                chunk = "".join(buf).encode()
                f.write(chunk); h.update(chunk); size += len(chunk)
                buf = []
                if size >= target and name == "kontakter.csv":
                    break
        if buf:
            chunk = "".join(buf).encode()
            f.write(chunk); h.update(chunk)
    return {"table": name[:-4], "path": name, "rows": n, "sha256": h.hexdigest()}


def contacts():
    i = 0
    while True:
        pnr = numbers[i % len(numbers)]
        day = 1 + i % 28
        sex = "1" if int(pnr[10]) % 2 else "2"
        if i % 5 == 0:
            dia = DIAGNOSES[i % len(DIAGNOSES)]
            yield (f"K{i};{pnr};P;{sex};0180;11001;Avd {i % 40};301;SV;{'J' if i % 3 else 'N'};;;"
                   f"2024-03-{day:02d} 10:{i % 60:02d};2024-03-{min(day + 3, 31):02d} 12:00;1;{dia};I08C;1,{i % 90:02d};"
                   f"{40000 + i % 9000},50;0\r\n")
        else:
            yield (f"K{i};{pnr};P;{sex};0180;21002;VC Söder;;PV;J;2;L;2024-03-{day:02d} 09:00;"
                   f"2024-03-{day:02d} 09:20;;;;;1250,00;\r\n")
        i += 1


files = [write("kontakter.csv", HEADER, contacts()),
         write("diagnoser.csv", "kontakt_id;ordning;kod\r\n", (f"K{i * 5};1;I10\r\n" for i in range(1000))),
         write("atgarder.csv", "kontakt_id;ordning;kod;datumtid\r\n", iter(()))]
manifest = {"format": "vardhub-leverans/1", "collection": "vardkontakter", "spec_version": "1.0.0",
            "region": "01", "period": "2024-03", "synthetic": True, "encoding": "utf-8", "files": files}
json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=2)
print(json.dumps({"rows": files[0]["rows"], "bytes": os.path.getsize(os.path.join(out, "kontakter.csv"))}))
