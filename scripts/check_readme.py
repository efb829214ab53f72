"""Re-runs the deterministic figures README.md (and the documents it leads to) prints and reports those
that drifted.

A figure is marked by an HTML comment (invisible on the rendered page) below the paragraph,
list item or table that prints it, best on the line right after it:

    <!-- figure VALUE: SOURCE => EXPRESSION -->
    <!-- figure VALUE: SOURCE => EXPRESSION (cheap) -->

VALUE is the figure exactly as printed above (sign, decimals, a trailing % allowed); it must
appear in the text above the mark within its section (since the last `#` or `##` heading),
and its decimals are its precision: the figure drifted when the
recomputed value is further from it than half a unit of its last digit. A number written with
thousands separators is a round figure, precise to its last non-zero digit (24,000: +-500).
SOURCE is one of

    run ARGS...        `iscsim run ARGS -o TMP`; EXPRESSION sees `r`, its results.json
    calibrate ARGS...  `iscsim calibrate ARGS --out TMP`; EXPRESSION sees `out`, its standard
                       output, `rows`, its error table (dicts of wl, cpu, bin, diff, cpi_error),
                       `row(wl, cpu, bin)`, one of them, and `residuals`, its residual JSON
    calc               EXPRESSION alone (arithmetic such as the wire bounds)

and EXPRESSION is Python (`math` is there; of the builtins abs, sum, len, min, max, round, int, float). Commands with the same SOURCE run once. "(cheap)"
marks the figures `--cheap` checks: those that take a few seconds in all, for the test suite.
`--update` also rewrites the figures that drifted, in the marks and where the prose prints them
unambiguously (scripts/readme_update.py), and lists the rest; review its edits.
"""
import argparse
import json
import math
import pathlib
import re
import shlex
import subprocess
import sys
import tempfile

import readme_update

MARK = re.compile(r"^\s*<!-- figure (?P<value>[-+]?\d{1,3}(?:,\d{3})+%?|[-+]?\d+(?:\.\d+)?%?): (?P<source>.+?) => (?P<expr>.+?)"
                  r"(?P<cheap> \(cheap\))? -->\s*$")
SECTION = re.compile(r"^#{1,2} ")
ROW = re.compile(r"^(?P<wl>[A-Z])\s+(?P<cpu>\d+)\s+(?P<bin>\S+)\s+\S+\s+\S+\s+(?P<diff>[-+]\d+\.\d)"
                 r"\s+\S+\s+\S+\s+(?:(?P<err>[-+]\d+%)\s+)?"
                 r"(?P<cs>\d+\.\d)\s+(?P<cp>\d+\.\d)\s+(?P<ms>\d+\.\d)\s+(?P<mp>\d+\.\d)\s*$")


def marks(readme):
    """(line number, value text, source, expression, cheap, section text above) per marked figure."""
    lines = readme.read_text().splitlines()
    for n, line in enumerate(lines):
        m = MARK.match(line)
        if not m:
            continue
        above = []
        for prev in reversed(lines[:n]):
            if SECTION.match(prev):
                break
            if not MARK.match(prev):
                above.append(prev)
        yield n + 1, m["value"], m["source"].strip(), m["expr"], bool(m["cheap"]), " ".join(reversed(above))


def calibrate_rows(out):
    return [{"wl": m["wl"], "cpu": int(m["cpu"]), "bin": m["bin"], "diff": float(m["diff"]),
             "cpi_error": float(m["err"][:-1]) if m["err"] else None,
             "clear_diff": float(m["cs"]) - float(m["cp"]), "miss_diff": float(m["ms"]) - float(m["mp"])}
            for m in map(ROW.match, out.splitlines()) if m]


def produce(source, iscsim, scratch, cache):
    """The names EXPRESSION may use for `source`, running its command once."""
    if source in cache:
        return cache[source]
    words = shlex.split(source)
    names = {"math": math}
    if words[0] == "calc":
        pass
    elif words[0] in ("run", "calibrate"):
        out = pathlib.Path(tempfile.mkdtemp(dir=scratch))
        target = out / "run" if words[0] == "run" else out / "catalog.json"
        flag = "-o" if words[0] == "run" else "--out"
        done = subprocess.run([iscsim, *words, flag, str(target)], capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"iscsim {source} exited {done.returncode}: {done.stderr.strip()}")
        if words[0] == "run":
            names["r"] = json.loads((target / "results.json").read_text())
        else:
            names["out"] = done.stdout
            names["residuals"] = json.loads((out / "catalog.residuals.json").read_text())
            rows = calibrate_rows(done.stdout)
            names["rows"] = rows
            names["row"] = lambda wl, cpu, bin: next(x for x in rows if (x["wl"], x["cpu"], x["bin"]) == (wl, cpu, bin))
    else:
        raise ValueError(f"unknown source {words[0]!r}; allowed: run, calibrate, calc")
    cache[source] = names
    return names


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--readme", required=True, type=pathlib.Path, nargs="+",
                    help="the documents whose figures to check (README.md and those it leads to)")
    ap.add_argument("--iscsim", required=True, help="the iscsim binary")
    ap.add_argument("--cheap", action="store_true", help="only the figures marked (cheap)")
    ap.add_argument("--update", action="store_true",
                    help="rewrite drifted figures in the marks and, where unambiguous, in the prose above them")
    args = ap.parse_args()

    failures = checked = 0
    drifted = {doc: [] for doc in args.readme}
    cache = {}  # shared by the documents: a command they both use runs once
    # A mark the pattern does not read (a unit after the number, a missing "=>") would go unchecked.
    for doc in args.readme:
        for n, text in enumerate(doc.read_text().splitlines()):
            if text.lstrip().startswith("<!-- figure") and not MARK.match(text):
                print(f"{doc}:{n + 1}: a figure mark this script cannot read (value: digits, an optional "
                      f"decimal part and %; then ': SOURCE => EXPRESSION -->')", file=sys.stderr)
                failures += 1
                checked += 1
    with tempfile.TemporaryDirectory(prefix="iscsim-check-readme-") as scratch:
        for doc in args.readme:
            for line, value, source, expr, cheap, paragraph in marks(doc):
                if args.cheap and not cheap:
                    continue
                checked += 1
                where = f"{doc}:{line}"
                if value not in paragraph:
                    print(f"{where}: {value} is marked but its section does not print it above the mark",
                          file=sys.stderr)
                    failures += 1
                    continue
                try:
                    names = produce(source, args.iscsim, scratch, cache)
                    got = float(eval(expr, {"__builtins__": {"abs": abs, "sum": sum, "len": len, "min": min,
                                                              "max": max, "round": round, "int": int,
                                                              "float": float}}, dict(names)))
                except Exception as e:  # a broken mark is a failure to report, not a crash
                    print(f"{where}: {value}: {source} => {expr}: {e}", file=sys.stderr)
                    failures += 1
                    continue
                number, decimals = readme_update.precision(value)
                tolerance = 0.5 * 10 ** -decimals + 1e-9
                if abs(got - number) > tolerance:
                    print(f"{where}: {doc.name} prints {value}, {source} now gives {got:.{max(decimals, 0) + 2}f}",
                          file=sys.stderr)
                    failures += 1
                    drifted[doc].append((line, value, got))
    print(f"check-readme: {checked - failures} of {checked} figures as printed")
    if args.update:
        for doc, figures in drifted.items():
            if not figures:
                continue
            made, left = readme_update.update(doc, figures)
            for edit in made:
                print(f"updated {edit}")
            for edit in left:
                print(edit, file=sys.stderr)
            print(f"check-readme: {doc}: {len(made)} of {len(figures)} drifted figures rewritten in the prose; "
                  f"{len(left)} left to edit by hand")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
