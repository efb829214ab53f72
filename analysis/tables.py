#!/usr/bin/python3
"""The paper's tables as text and CSV. Table 1 for each run directory: per CPU (with its role),
per bin: cycles, instructions, machine clears, L2 misses (per MB of payload), %CPU and CPI, and
the non-idle total. Table 2 for each compare directory (written by `iscsim compare`): per bin,
the improvement of OTHER over BASE in cycles, L2 misses and machine clears, then the summary
figures side by side.

Writes table1-RUN.txt/.csv and table2-BASE-vs-OTHER.txt/.csv into the output directory.

example: /usr/bin/python3 analysis/tables.py out/smp-write-64k out/compare-smp-write-64k-vs-amp-write-64k
"""
import os

import pandas as pd

import iscsim_results as ir

TABLE1_COUNTERS = ["cycles", "instr", "clears", "l2_misses", "pct_cpu", "cpi"]
SUMMED = ["cycles", "instr", "clears", "l2_misses", "pct_cpu"]  # the paper's "Total Non-idle" row
TOTAL_ROW = "Total non-idle"
TABLE2_COUNTERS = ["cycles", "l2_misses", "clears"]
HEADINGS = {"cycles": "cycles", "instr": "instr", "clears": "clears", "l2_misses": "L2 misses", "pct_cpu": "%CPU",
            "cpi": "CPI"}


def table1(run):
    """One row per CPU and bin (then the non-idle total per CPU), counters from results.json."""
    rows = []
    for cpu in run.results["cpus"]:
        total = {k: 0.0 for k in SUMMED}
        for b in ir.BINS:
            counters = cpu["bins"][b]
            row = {"cpu": int(cpu["id"]), "role": cpu["role"], "bin": b}
            row.update({k: ir.number_or_none(counters.get(k)) for k in TABLE1_COUNTERS})
            rows.append(row)
            if b != "idle":
                for k in SUMMED:
                    total[k] += counters[k]
        rows.append({"cpu": int(cpu["id"]), "role": cpu["role"], "bin": TOTAL_ROW, **total, "cpi": None})
    return pd.DataFrame(rows, columns=["cpu", "role", "bin"] + TABLE1_COUNTERS)


def table1_text(run, table):
    lines = [f"Table 1, per CPU, normalized per MB of payload: {run.label} ({run.architecture}, "
             f"{ir.workload_label(run.op, run.request_bytes)})"]
    cpus = list(dict.fromkeys(zip(table["cpu"], table["role"])))
    header = f"{'':15}" + "".join(f"| CPU{c} ({r}){'':{max(0, 60 - len(str(c)) - len(r) - 6)}}" for c, r in cpus)
    lines.append(header)
    lines.append(f"{'':15}" + "".join("| " + " ".join(f"{HEADINGS[k]:>{9 if k != 'cycles' else 11}}"
                                                      for k in TABLE1_COUNTERS) + "  " for _ in cpus))
    for b in ir.BINS + [TOTAL_ROW]:
        cells = []
        for c, _ in cpus:
            row = table[(table["cpu"] == c) & (table["bin"] == b)].iloc[0]
            parts = []
            for k in TABLE1_COUNTERS:
                width = 11 if k == "cycles" else 9
                v = row[k]
                if v is None or pd.isna(v):
                    parts.append(f"{'':>{width}}")
                elif k == "pct_cpu":
                    parts.append(f"{v:>{width - 1}.1f}%")
                elif k == "cpi":
                    parts.append(f"{v:>{width}.2f}")
                else:
                    parts.append(f"{v:>{width}.0f}")
            cells.append("| " + " ".join(parts) + "  ")
        lines.append(f"{b:15}" + "".join(cells))
    s = run.summary
    lines.append("throughput " + _fmt(s.get("throughput_MBps"), ".1f") + " MB/s, CPU utilization "
                 + _fmt(s.get("cpu_util_pct"), ".1f") + " %, cost " + _fmt(s.get("ghz_per_gbps"), ".3f") + " GHz/Gbps")
    return "\n".join(lines) + "\n"


def table2(compare):
    rows = []
    for r in compare["table2"]:
        row = {"bin": r["bin"]}
        for k in TABLE2_COUNTERS:
            row[f"{k}_improvement_pct"] = ir.number_or_none(r[k]["improvement_pct"])
        rows.append(row)
    return pd.DataFrame(rows, columns=["bin"] + [f"{k}_improvement_pct" for k in TABLE2_COUNTERS])


def table2_text(compare, table):
    base, other = compare["base"]["label"], compare["other"]["label"]
    lines = [f"Table 2, improvement of {other} (OTHER) over {base} (BASE), % of BASE's total with idle:",
             f"{'bin':12}{'cycles':>12}{'L2 misses':>12}{'clears':>12}"]
    for _, row in table.iterrows():
        lines.append(f"{row['bin']:12}" + "".join(_fmt(row[f'{k}_improvement_pct'], "+.2f", "%", 12)
                                                  for k in TABLE2_COUNTERS))
    lines.append("")
    lines.append(f"{'':28}{'BASE':>12}{'OTHER':>12}")
    for metric, v in compare["summary"].items():
        label = ir.METRIC_LABELS.get(metric, metric)
        lines.append(f"{label:28}" + _fmt(v.get("base"), ".3f", "", 12) + _fmt(v.get("other"), ".3f", "", 12))
    return "\n".join(lines) + "\n"


def _fmt(value, spec, suffix="", width=0):
    text = "n/a" if value is None or pd.isna(value) else format(value, spec) + suffix
    return f"{text:>{width}}"


def write_table(out, name, text, table):
    base = os.path.join(out, name)
    ir.write_text(base + ".txt", text)
    ir.write_atomically(base + ".csv", lambda tmp: table.to_csv(tmp, index=False))
    print(text, end="")
    return [base + ".txt", base + ".csv"]


def run(argv):
    p = ir.parser(__doc__, default_out="out/tables")
    p.add_argument("inputs", nargs="+", metavar="DIR",
                   help="run directories (results.json) and compare directories (compare.json)")
    args = p.parse_args(argv)
    ir.check_out_dir(args.out)
    jobs = []
    for path in args.inputs:
        if os.path.isfile(os.path.join(path, "compare.json")) or path.endswith("compare.json"):
            c = ir.load_compare(path)
            jobs.append((f"table2-{c['base']['label']}-vs-{c['other']['label']}", table2_text, c, table2(c)))
        else:
            r = ir.Run(path)
            jobs.append((f"table1-{r.label}", table1_text, r, table1(r)))
    written = []
    for name, text, source, table in jobs:
        written += write_table(args.out, name, text(source, table), table)
    return written


if __name__ == "__main__":
    ir.main(run)
