#!/usr/bin/python3
"""Consistency checker for the hand-read statement truth TSVs.

Checks each <document>.tsv in this directory (or the files named on the
command line): the header, the metric names, the dates, that `value` equals
`value_as_printed` times `scale` (negative for parentheses), and the
statements' arithmetic where the parts were read:
  total_assets = total_liabilities + total_equity (+ mezzanine=<printed> in
  the total_liabilities note, for temporary equity between the two; one unit
  of the printed scale off when the total_assets note names the rounding);
  revenue - cost_of_revenue = gross_profit=<printed> when a note on the
  cost_of_revenue row gives the printed gross profit.
With --pdf DIR [DIR ...] it also finds each document's PDF in the given
directories and checks, with `pdftotext -layout -f N -l N`, that every
value_as_printed occurs on the page the row names.
Exits 1 and prints one line per problem when any check fails.
"""
import os
import re
import subprocess
import sys

COLUMNS = ["metric", "period_end", "period_months", "value_as_printed",
           "scale", "value", "page", "statement", "note"]
METRICS = {"revenue", "cost_of_revenue", "operating_income", "net_income",
           "total_assets", "total_liabilities", "total_equity",
           "operating_cash_flow", "cash", "company", "form", "period"}
FORMS = {"10-K", "10-Q", "8-K", "earnings release", "annual report"}
STATEMENTS = {"income", "balance", "cashflow", "cover"}


def printed_number(text):
    """Value of a printed amount such as "(1,234.5)" or "$ 12"; None if not a number."""
    t = text.replace("$", "").replace(",", "").replace(" ", "")
    neg = t.startswith("(") and t.endswith(")")
    t = t.strip("()")
    if not re.fullmatch(r"-?\d+(\.\d+)?", t):
        return None
    v = float(t)
    return -v if neg else v


def note_amount(note, key):
    m = re.search(key + r"=([(]?[\d,.]+[)]?)", note)
    return printed_number(m.group(1)) if m else None


def check_row(name, n, row, problems):
    metric = row["metric"]
    if metric not in METRICS:
        problems.append(f"{name}:{n}: unknown metric {metric!r}")
        return
    if metric in ("company", "form", "period"):
        if row["statement"] != "cover":
            problems.append(f"{name}:{n}: {metric} row must have statement cover")
        if metric == "form" and row["value"] not in FORMS:
            problems.append(f"{name}:{n}: form {row['value']!r} not one of {sorted(FORMS)}")
        if metric == "period" and not re.fullmatch(r"\d{4}-\d\d-\d\d", row["value"]):
            problems.append(f"{name}:{n}: period {row['value']!r} is not YYYY-MM-DD")
        return
    if not re.fullmatch(r"\d{4}-\d\d-\d\d", row["period_end"]):
        problems.append(f"{name}:{n}: period_end {row['period_end']!r}")
    months = row["period_months"]
    balance = metric in ("total_assets", "total_liabilities", "total_equity", "cash")
    if balance and months != "0":
        problems.append(f"{name}:{n}: balance {metric} needs period_months 0")
    if not balance and months not in ("3", "6", "9", "12"):
        problems.append(f"{name}:{n}: flow {metric} needs period_months 3/6/9/12")
    if row["statement"] not in STATEMENTS - {"cover"}:
        problems.append(f"{name}:{n}: statement {row['statement']!r}")
    if row["value"] == "":
        if "not printed" not in row["note"]:
            problems.append(f"{name}:{n}: empty value without note 'not printed'")
        return
    printed = printed_number(row["value_as_printed"])
    if printed is None:
        problems.append(f"{name}:{n}: value_as_printed {row['value_as_printed']!r}")
        return
    if row["scale"] not in ("1", "1000", "1000000"):
        problems.append(f"{name}:{n}: scale {row['scale']!r}")
        return
    if abs(printed * int(row["scale"]) - float(row["value"])) > 0.5:
        problems.append(f"{name}:{n}: value {row['value']} != {row['value_as_printed']} x {row['scale']}")
    if not row["page"].isdigit():
        problems.append(f"{name}:{n}: page {row['page']!r}")


def check_arithmetic(name, rows, problems):
    by = {}
    for r in rows:
        if r["value"] and r["metric"] not in ("company", "form", "period"):
            by[(r["metric"], r["period_end"], r["period_months"])] = r
    for (metric, end, months), r in by.items():
        scale = int(r["scale"])
        if metric == "total_assets":
            li = by.get(("total_liabilities", end, "0"))
            eq = by.get(("total_equity", end, "0"))
            if li and eq:
                mez = note_amount(li["note"], "mezzanine") or 0
                total = float(li["value"]) + float(eq["value"]) + mez * scale
                # a total printed one unit of the scale off its parts is the
                # filer's rounding when the total_assets note says so
                slack = scale if "rounding" in r["note"] else 0.5
                if abs(total - float(r["value"])) > slack:
                    problems.append(f"{name}: {end} assets {r['value']} != liabilities "
                                    f"{li['value']} + mezzanine {mez * scale} + equity {eq['value']}")
        if metric == "cost_of_revenue":
            gp = note_amount(r["note"], "gross_profit")
            rev = by.get(("revenue", end, months))
            if gp is not None and rev:
                if abs(float(rev["value"]) - abs(float(r["value"])) - gp * scale) > 0.5:
                    problems.append(f"{name}: {end}/{months} revenue {rev['value']} - cost "
                                    f"{r['value']} != gross profit {gp * scale}")


def page_text(pdf, page, cache):
    key = (pdf, page)
    if key not in cache:
        out = subprocess.run(["pdftotext", "-layout", "-f", page, "-l", page, pdf, "-"],
                             capture_output=True, text=True, errors="replace")
        cache[key] = re.sub(r"\s+", " ", out.stdout) if out.returncode == 0 else None
    return cache[key]


def check_on_page(name, rows, pdf_dirs, problems):
    stem = name[:-len(".tsv")]
    pdfs = [os.path.join(d, stem + ".pdf") for d in pdf_dirs
            if os.path.exists(os.path.join(d, stem + ".pdf"))]
    if not pdfs:
        problems.append(f"{name}: no {stem}.pdf in {pdf_dirs}")
        return
    cache = {}
    for r in rows:
        printed = r["value_as_printed"]
        if not printed or not r["page"].isdigit():
            continue
        text = page_text(pdfs[0], r["page"], cache)
        if text is None:
            problems.append(f"{name}: pdftotext failed on page {r['page']}")
        elif re.sub(r"\s+", " ", printed) not in text:
            problems.append(f"{name}: {r['metric']} {printed!r} not on page {r['page']}")


def check_file(path, problems, pdf_dirs=None):
    name = os.path.basename(path)
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    if not lines or lines[0].split("\t") != COLUMNS:
        problems.append(f"{name}: header must be {' '.join(COLUMNS)}")
        return
    rows = []
    for n, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(COLUMNS):
            problems.append(f"{name}:{n}: {len(cells)} cells, want {len(COLUMNS)}")
            continue
        row = dict(zip(COLUMNS, cells))
        check_row(name, n, row, problems)
        rows.append(row)
    present = {r["metric"] for r in rows}
    for m in ("company", "form", "period"):
        if m not in present:
            problems.append(f"{name}: no {m} row")
    check_arithmetic(name, rows, problems)
    if pdf_dirs:
        check_on_page(name, rows, pdf_dirs, problems)


def main(argv):
    here = os.path.dirname(os.path.abspath(__file__))
    args = argv[1:]
    pdf_dirs = []
    if "--pdf" in args:
        i = args.index("--pdf")
        pdf_dirs = [a for a in args[i + 1:] if os.path.isdir(a)]
        args = args[:i] + [a for a in args[i + 1:] if not os.path.isdir(a)]
    paths = args or sorted(os.path.join(here, p) for p in os.listdir(here) if p.endswith(".tsv"))
    problems = []
    for p in paths:
        check_file(p, problems, pdf_dirs)
    for p in problems:
        print(p)
    print(f"{len(paths)} files, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
