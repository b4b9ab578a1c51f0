"""Writes lease.pdf: a two-page PDF 1.4 with compressed text streams, built by hand (not by the library that reads it).
Run: python3 make-lease-pdf.py  (the output is committed; this shows how it was made)."""
import zlib

pages = [
    ["Apartment Lease Agreement", "Landlord: Marta Olsen. Tenant: Sam Rivera.", "Address: 12 Harbour Lane, Flat 3, Bergen.",
     "Monthly rent: 1,450 euros, due on the first day of each month.", "Security deposit: 2,900 euros, returned within 30 days of move-out."],
    ["Pets and maintenance", "One cat is allowed; no dogs.", "The tenant repaints the living room before leaving.",
     "Notice period: three months, in writing.", "Signed in Bergen on 1 March 2026."],
]

objects = []
def add(body: bytes) -> int:
    objects.append(body)
    return len(objects)

font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
pages_id = len(objects) + 1 + 2 * len(pages)  # placeholder order: contents+page pairs come first
page_ids = []
for lines in pages:
    ops = ["BT", "/F1 18 Tf", "72 760 Td", f"({lines[0]}) Tj", "/F1 12 Tf"]
    for line in lines[1:]:
        ops += ["0 -28 Td", "(" + line.replace("(", "\\(").replace(")", "\\)") + ") Tj"]
    ops.append("ET")
    data = zlib.compress("\n".join(ops).encode("cp1252"))
    content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
    page_ids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>" % (pages_id, font, content)))
assert add(b"<< /Type /Pages /Kids [" + b" ".join(b"%d 0 R" % p for p in page_ids) + b"] /Count %d >>" % len(page_ids)) == pages_id
catalog = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages_id)
info = add(b"<< /Title (Apartment Lease Agreement) /Producer (make-lease-pdf.py) >>")

out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
offsets = []
for i, body in enumerate(objects, 1):
    offsets.append(len(out))
    out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
xref = len(out)
out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
for o in offsets:
    out += b"%010d 00000 n \n" % o
out += b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, info, xref)
open("lease.pdf", "wb").write(out)
print(len(out), "bytes")
