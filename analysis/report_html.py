"""HTML building blocks of the reproduction report (analysis/report.py): escaped text, tables,
figures embedded as data URIs, collapsible blocks and the page itself. Everything is inline, so
the page opens from disk with no network.
"""
import base64
import html
import io

import matplotlib
import matplotlib.pyplot as plt

# Fixed SVG ids and no date in the file: the same inputs give the same page.
matplotlib.rcParams["svg.hashsalt"] = "iscsim-report"

STYLE = """
body { font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; color: #222; background: #fff;
       margin: 0; line-height: 1.45; font-size: 15px; }
main { max-width: 1120px; margin: 0 auto; padding: 1.5em 2em 4em; }
h1 { font-size: 1.7em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #1f77b4; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { font-size: 1.05em; margin: 1.6em 0 0.4em; }
p.lead { color: #555; margin-top: 0; }
nav ol { columns: 2; padding-left: 1.4em; }
figure { margin: 1em 0 2em; }
figure img { max-width: 100%; height: auto; border: 1px solid #e3e3e3; }
figcaption { color: #444; font-size: 0.92em; margin-top: 0.3em; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.5em 0 1em; font-size: 0.86em; }
th, td { padding: 0.22em 0.6em; border-bottom: 1px solid #e3e3e3; white-space: nowrap; }
th.sep, td.sep { border-left: 1px solid #c8c8c8; }
th { background: #f2f5f9; text-align: left; vertical-align: bottom; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.total td { font-weight: bold; border-top: 1px solid #999; }
td.off { background: #fde8e8; }
details { margin: 0.4em 0; }
summary { cursor: pointer; color: #1f4e79; }
pre { background: #f7f7f7; border: 1px solid #e3e3e3; padding: 0.7em; font-size: 0.8em; overflow-x: auto; }
.note { color: #666; font-size: 0.9em; }
.row { display: flex; flex-wrap: wrap; gap: 0 2.5em; align-items: flex-start; }
a { color: #1f4e79; }
"""


def esc(text):
    return html.escape(str(text), quote=True)


def number(value, spec):
    """A formatted number; an en dash for null, NaN or absent."""
    if value is None or value != value:
        return "–"
    return format(value, spec)


def table(headers, rows, numeric=(), row_classes=None, cell_classes=None, groups=None):
    """An HTML table of already formatted cells; `numeric` column indexes are right-aligned;
    row_classes[i] is a class for row i, cell_classes[(i, j)] one for a cell; `groups`, a list
    of (label, columns spanned), is a header row above `headers`."""
    def cls(*names):
        names = [n for n in names if n]
        return f' class="{" ".join(names)}"' if names else ""
    starts, edge = set(), 0  # the first column of each group after the first: a rule to its left
    for _, span in (groups or [])[:-1]:
        edge += span
        starts.add(edge)

    def column(j):
        return ("num" if j in numeric else "", "sep" if j in starts else "")
    head = "".join(f"<th{cls(*column(j))}>{esc(h)}</th>" for j, h in enumerate(headers))
    if groups:
        spans = "".join(f'<th colspan="{span}"{cls("sep" if i else "")}>{esc(label)}</th>'
                        for i, (label, span) in enumerate(groups))
        head = f"{spans}</tr><tr>{head}"
    body = []
    for i, row in enumerate(rows):
        cells = "".join(f"<td{cls(*column(j), (cell_classes or {}).get((i, j)))}>{esc(c)}</td>"
                        for j, c in enumerate(row))
        body.append(f"<tr{cls((row_classes or {}).get(i))}>{cells}</tr>")
    return f'<div class="scroll"><table><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>'


def data_uri(mime, payload):
    return f"data:{mime};base64,{base64.b64encode(payload).decode('ascii')}"


def figure(fig, data, name, caption):
    """A matplotlib figure as an inline SVG image, with a link to its data file (exactly the
    plotted series, as the figure scripts write it to NAME.data.csv)."""
    svg = io.BytesIO()
    fig.savefig(svg, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    csv = data.to_csv(index=False).encode("utf-8")
    return (f'<figure id="{esc(name)}"><img alt="{esc(caption)}" src="{data_uri("image/svg+xml", svg.getvalue())}">'
            f'<figcaption>{esc(caption)} <a download="{esc(name)}.data.csv" href="{data_uri("text/csv", csv)}">'
            f"{esc(name)}.data.csv</a></figcaption></figure>")


def side_by_side(*blocks):
    return '<div class="row">' + "".join(f"<div>{b}</div>" for b in blocks) + "</div>"


def details(summary, body, open_=False):
    return f"<details{' open' if open_ else ''}><summary>{esc(summary)}</summary>{body}</details>"


def pre(text):
    return f"<pre>{esc(text)}</pre>"


def page(title, lead, sections):
    """The whole page: `sections` are (anchor, heading, html) in order, with a contents list."""
    contents = "".join(f'<li><a href="#{esc(a)}">{esc(h)}</a></li>' for a, h, _ in sections)
    body = "".join(f'<section id="{esc(a)}"><h2>{esc(h)}</h2>{content}</section>' for a, h, content in sections)
    return ("<!DOCTYPE html>\n"
            f'<html lang="en"><head><meta charset="utf-8"><title>{esc(title)}</title>'
            f"<style>{STYLE}</style></head>"
            f'<body><main><h1>{esc(title)}</h1><p class="lead">{lead}</p>'
            f"<nav><ol>{contents}</ol></nav>{body}</main></body></html>\n")
