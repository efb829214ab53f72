"""How README figures are printed, and their rewriting for check_readme.py --update.

Each drifted mark gets its new value, printed at the precision, sign, thousands separators and
percent sign of the old one. In the prose above it (its text block: up to a blank line, a
heading or another figure's marks, skipping generated tables and code, which their scripts
rewrite) the old value is rewritten too when it occurs there exactly once; otherwise the edit is
left to the author and listed. Every edit is printed: review them, as a statement of history
("went from 28 to 30") keeps its values whatever a mark below it says now.
"""
import re

MARK_START = re.compile(r"^\s*<!-- figure ")


def precision(value):
    """The number a printed figure says and the decimals it is precise to (negative for a round
    figure written with thousands separators: 24,000 is precise to the thousand)."""
    number = value.rstrip("%")
    if "," in number:
        number = number.replace(",", "")
        return float(number), -(len(number) - len(number.rstrip("0")))
    return float(number), len(number.split(".")[1]) if "." in number else 0


def formatted(old, got):
    """`got` as `old` is printed: its decimals (or round thousands), sign and percent sign."""
    _, decimals = precision(old)
    if "," in old:
        text = f"{int(round(got, decimals)):,}"
    else:
        text = f"{got:.{decimals}f}"
        if text.startswith("-") and float(text) == 0:
            text = text[1:]
    if old[:1] in "+-" and not text.startswith("-"):
        text = "+" + text
    return text + ("%" if old.endswith("%") else "")


def _prose_block(lines, mark):
    """Indexes of the prose lines a mark at index `mark` stands under."""
    i = mark - 1
    while i >= 0 and MARK_START.match(lines[i]):
        i -= 1
    block = []
    fenced = False
    while i >= 0 and lines[i].strip() and not lines[i].startswith("#") and not MARK_START.match(lines[i]):
        if lines[i].startswith("```"):
            fenced = not fenced
        elif not fenced and not lines[i].startswith(("|", "    ")):
            block.append(i)
        i -= 1
    return sorted(block)


def _occurrences(value, text):
    return [m.start() for m in re.finditer(r"(?<![\d.,])" + re.escape(value) + r"(?![\d]|\.\d|,\d)", text)]


def update(path, drifted):
    """Applies `drifted` ((line number, printed value, recomputed value), ...) to the file at
    `path`; returns the edits made and the ones left to the author, as printable lines."""
    lines = path.read_text().split("\n")
    made, left = [], []
    taken = set()
    for number, old, got in drifted:
        new = formatted(old, got)
        index = number - 1
        lines[index] = lines[index].replace(f"figure {old}:", f"figure {new}:", 1)
        spots = [(i, at) for i in _prose_block(lines, index) for at in _occurrences(old, lines[i])
                 if (i, at) not in taken]
        if len(spots) != 1:
            left.append(f"{path}:{number}: {old} -> {new}: {len(spots)} places print {old} above it; edit by hand")
            continue
        i, at = spots[0]
        lines[i] = lines[i][:at] + new + lines[i][at + len(old):]
        # Later places on the edited line move with it.
        taken = {(j, a + len(new) - len(old) if j == i and a > at else a) for j, a in taken}
        taken.add((i, at))
        made.append(f"{path}:{i + 1}: {old} -> {new} (the mark on line {number})")
    path.write_text("\n".join(lines))
    return made, left
