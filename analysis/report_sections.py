"""The sections of the reproduction report (analysis/report.py), each an HTML fragment drawn from
result files only: run summaries, Table 1, Table 2, the paper's figures (drawn by the figure
scripts' own functions), the calibration residuals, and the scenarios and versions used.
"""
import json
import os
import re

import cmp_study
import hotspots
import iscsim_results as ir
import report_html as h
import scaling
import tables
import throughput

PAPER_REQUEST_BYTES = 65536  # the paper's Fig 5/6 and Table 1 are for 64 KB requests
HOTSPOT_FIGURES = {"read": "Fig 5", "write": "Fig 6"}  # the paper's numbering at 64 KB
COSTED = ("smp", "amp")  # architectures whose CPUs run software (the ideal host has none), baseline first
OPS = ("read", "write")  # the paper's order
WORKLOADS = {"R": "read", "W": "write"}  # calibrate's workload codes
SUMMARY_COLUMNS = [("throughput_MBps", "MB/s", ".1f"), ("iops", "IOPS", ".0f"), ("cpu_util_pct", "%CPU", ".1f"),
                   ("ghz_per_gbps", "GHz/Gbps", ".2f"), ("cpu_dedicated_pct", "%CPU dedicated", ".1f"),
                   ("ghz_per_gbps_dedicated", "GHz/Gbps dedicated", ".2f")]
SUMMARY_SPECS = {key: spec for key, _, spec in SUMMARY_COLUMNS}


def workload_of(run):
    workload = run.scenario.get("workload", {})
    if workload.get("type", "iometer") != "iometer":
        return workload.get("type", "")
    return ir.workload_label(run.op, run.request_bytes)


def is_costed_iometer(run):
    return run.architecture in COSTED and run.scenario.get("workload", {}).get("type", "iometer") == "iometer"


def _rank(value, order):
    return order.index(value) if value in order else len(order)


def paper_order(request_bytes, op, architecture="", label=""):
    """A sort key: 64 KB first, reads before writes, SMP before AMP."""
    return (request_bytes != PAPER_REQUEST_BYTES, request_bytes or 0, _rank(op, OPS), _rank(architecture, COSTED),
            label)


def run_order(run):
    return paper_order(run.request_bytes, run.op, run.architecture, run.label)


# ---- runs and tables ----

def runs_section(runs):
    rows = []
    for run in runs:
        integrity = run.results.get("integrity", {})
        rows.append([run.label, run.architecture, workload_of(run)]
                    + [h.number(run.metric(k), spec) for k, _, spec in SUMMARY_COLUMNS]
                    + [h.number(integrity.get("verified_blocks"), ",d"), h.number(integrity.get("corrupt_blocks"), "d")])
    headers = ["run", "architecture", "workload"] + [label for _, label, _ in SUMMARY_COLUMNS] + ["blocks verified",
                                                                                                   "corrupt"]
    return ("<p>Every run directory found, as its results.json reports it (MB = 10<sup>6</sup> B; %CPU summed over "
            "CPUs; dedicated: AMP's PPEs counted fully busy; blocks read back and checked against their stamps).</p>"
            + h.table(headers, rows, numeric=range(3, len(headers))))


def table1_section(runs):
    """Table 1 of every run with CPUs: the 64 KB ones open, the others folded."""
    ordered = sorted(runs, key=run_order)
    parts = ["<p>Per CPU (with its role) and bin, normalized per MB of payload: cycles, instructions, machine "
             "clears, L2 misses, then %CPU of that CPU's cycles and CPI.</p>"]
    for run in ordered:
        title = f"{run.label}: {run.architecture}, {workload_of(run)}"
        parts.append(h.details(title, table1_html(run), open_=run.request_bytes == PAPER_REQUEST_BYTES))
    return "".join(parts)


def table1_html(run):
    data = tables.table1(run)
    cpus = list(dict.fromkeys(zip(data["cpu"], data["role"])))
    specs = {"cycles": ",.0f", "instr": ",.0f", "clears": ",.0f", "l2_misses": ",.0f", "pct_cpu": ".1f", "cpi": ".2f"}
    headers = ["bin"] + [tables.HEADINGS[k] for _ in cpus for k in tables.TABLE1_COUNTERS]
    rows, classes = [], {}
    for b in ir.BINS + [tables.TOTAL_ROW]:
        row = [b]
        for cpu, _ in cpus:
            cell = data[(data["cpu"] == cpu) & (data["bin"] == b)].iloc[0]
            row += [h.number(cell[k], specs[k]) for k in tables.TABLE1_COUNTERS]
        if b == tables.TOTAL_ROW:
            classes[len(rows)] = "total"
        rows.append(row)
    groups = [("", 1)] + [(f"CPU{cpu} ({role})", len(tables.TABLE1_COUNTERS)) for cpu, role in cpus]
    s = run.summary
    note = (f'<p class="note">{h.number(s.get("throughput_MBps"), ".1f")} MB/s, '
            f'{h.number(s.get("cpu_util_pct"), ".1f")} %CPU, {h.number(s.get("ghz_per_gbps"), ".2f")} GHz/Gbps</p>')
    return h.table(headers, rows, numeric=range(1, len(headers)), row_classes=classes, groups=groups) + note


def table2_section(compares):
    parts = []
    for c in sorted(compares, key=lambda c: paper_order(c["workload"].get("request_bytes"), c["workload"].get("op"))):
        base, other = c["base"]["label"], c["other"]["label"]
        t2 = tables.table2(c)
        rows = [[r["bin"]] + [h.number(r[f"{k}_improvement_pct"], "+.1f") for k in tables.TABLE2_COUNTERS]
                for _, r in t2.iterrows()]
        classes = {i: "total" for i, r in enumerate(rows) if r[0] == "TOTAL"}
        metrics = sorted(c["summary"], key=lambda m: _rank(m, list(SUMMARY_SPECS)))
        summary = [[ir.METRIC_LABELS.get(m, m), h.number(c["summary"][m].get("base"), SUMMARY_SPECS.get(m, ".2f")),
                    h.number(c["summary"][m].get("other"), SUMMARY_SPECS.get(m, ".2f")),
                    h.number(c["summary"][m].get("change_pct"), "+.1f")] for m in metrics]
        parts.append(f"<h3>{h.esc(other)} over {h.esc(base)}</h3>" + h.side_by_side(
            h.table(["bin", "cycles (%)", "L2 misses (%)", "clears (%)"], rows, numeric=(1, 2, 3), row_classes=classes),
            h.table(["", base, other, "change (%)"], summary, numeric=(1, 2, 3))))
    formulas = sorted({c.get("formula", "") for c in compares} - {""})
    return ("<p>The paper's Table 2 as <code>iscsim compare</code> wrote it (compare.json): per bin, the "
            "improvement of OTHER over BASE, then the summaries side by side.</p>"
            + "".join(f'<p class="note">{h.esc(f)}</p>' for f in formulas) + "".join(parts))


# ---- figures ----

def fig3_section(runs):
    data = throughput.plotted([r.dir for r in sorted(runs, key=run_order)])
    return h.figure(throughput.draw(data), data, "fig3-throughput",
                    "Fig 3: (a) throughput and CPU utilization, (b) cost in GHz/Gbps, per workload and host "
                    "architecture.")


def hotspot_section(runs):
    groups = {}
    for r in runs:
        groups.setdefault((r.request_bytes, r.op), []).append(r)
    order = sorted(groups, key=lambda k: paper_order(*k))
    parts = []
    for size, op in order:
        label = ir.workload_label(op, size)
        number = HOTSPOT_FIGURES.get(op) if size == PAPER_REQUEST_BYTES else None
        data = hotspots.plotted([r.dir for r in sorted(groups[(size, op)], key=run_order)])
        name = "hotspots-" + label.replace(" ", "-").lower()
        caption = (f"{number + ': ' if number else ''}hotspot profile, {label}: each CPU's busy cycles by bin "
                   "(%CPU of that CPU), runs side by side.")
        parts.append(h.figure(hotspots.draw(data), data, name, caption))
    return "".join(parts)


def sweep_figure(sweeps, module, name, caption):
    """One figure of `sweeps` by `module` (scaling or cmp_study), or a line saying that they have
    no finished point."""
    names = ", ".join(os.path.basename(os.path.abspath(p)) for p in sweeps)
    data = module.plotted(sweeps)
    if data.empty:
        return f"<p>{h.esc(names)}: no finished point to plot.</p>"
    return h.figure(module.draw(data), data, name, f"{caption} (sweep {names}).")


def fig4_section(sweeps):
    """A figure per sweep: each is a study of its own."""
    return "".join(sweep_figure([path], scaling, "fig4-" + os.path.basename(os.path.abspath(path)),
                                "Fig 4: cost (GHz/Gbps) against CPU frequency, the flatter the better")
                   for path in sweeps)


def cmp_section(sweeps):
    """One figure of them all: an SMP baseline is a sweep of its own (SMP has no host.ppes)."""
    return sweep_figure(sweeps, cmp_study, "cmp-study",
                        "Chip multiprocessors: throughput and cost against the PPE:host split, SMP on the same cores "
                        "beside it")


# ---- calibration ----

def _tolerances(targets):
    """calibrate's tolerances from its target names ('pct_cpu_within_2_points',
    'cpi_within_15_pct'): cell key -> (tolerance, relative?)."""
    found = {}
    for key in targets:
        m = re.fullmatch(r"(\w+?)_within_(\d+(?:\.\d+)?)_(points|pct)", key)
        if m:
            found[m.group(1)] = (float(m.group(2)), m.group(3) == "pct")
    return found


def _beyond(cell, tolerance):
    paper, sim = cell.get("paper"), cell.get("sim")
    if tolerance is None or paper is None or sim is None:
        return False
    limit, relative = tolerance
    return abs(sim - paper) > (limit / 100 * abs(paper) if relative else limit)


def _significant(value):
    """Three significant digits without an exponent (1,680 rather than 1.68e+03)."""
    if value is None:
        return h.number(value, "")
    return h.number(value, ",.0f") if abs(value) >= 100 else h.number(value, ".3g")


def clear_rates_details(rates):
    """The clears' magnitude beside their shares: cleared cycles per 1,000 cycles, a row per workload
    and CPU, paper against simulation per bin (calibrate's `clear_rates`; empty in older residuals)."""
    if not rates:
        return ""
    bins = list(dict.fromkeys(r["rows"] for r in rates))
    by_row = {}
    for r in rates:
        by_row.setdefault((r["workload"], r["cpu"]), {})[r["rows"]] = r["cleared_cycles_per_1000"]
    rows = []
    for (workload, cpu), cells in by_row.items():
        row = [WORKLOADS.get(workload, workload), f"CPU{cpu}"]
        for b in bins:
            cell = cells.get(b, {})
            row += [h.number(cell.get("paper"), ".1f"), h.number(cell.get("sim"), ".1f")]
        rows.append(row)
    headers = ["workload", "CPU"] + [side for _ in bins for side in ("paper", "sim")]
    groups = [("", 2)] + [(b, 2) for b in bins]
    table = h.table(headers, rows, numeric=range(2, len(headers)), groups=groups)
    # The model's non-idle rows split by what cleared the machine (residuals before the split lack it).
    causes, cause_rows = [], []
    for (workload, cpu), cells in by_row.items():
        split = cells.get("non-idle", {}).get("sim_by_cause")
        if split:
            causes = list(split)
            cause_rows.append([WORKLOADS.get(workload, workload), f"CPU{cpu}"] + [h.number(split[c], ".2f") for c in causes])
    if cause_rows:
        table += ("<p>The model's non-idle rows by cause (interrupts' deliveries, the profiler's NMIs, context "
                  "switches' CR3 loads, memory-ordering clears from the other CPU's and from the NICs' snoops):</p>"
                  + h.table(["workload", "CPU"] + [c.replace("_", " ") for c in causes], cause_rows,
                            numeric=range(2, 2 + len(causes))))
    return h.details("Machine clears' magnitude: cleared cycles per 1,000 cycles (the paper's clears column read "
                     "as cycles, the model's clears times their penalty)", table)


def residuals_section(residuals, path, shipped):
    targets = residuals["targets"]
    tolerances = _tolerances(targets)
    lines = []
    for key, value in targets.items():
        m = re.fullmatch(r"(\w+?)_within_(.+)", key)
        if m and isinstance(value, (int, float)):
            total = targets.get("cpi_cells") if m.group(1) == "cpi" else targets.get("cells")
            lines.append(f"<li>{h.esc(m.group(1))} within {h.esc(m.group(2).replace('_', ' '))}: "
                         f"<b>{value}</b> of {h.esc(total)} cells</li>")
    worst = ", ".join(f"{h.esc(k)} {h.number(v, '.1f')}" for k, v in targets.get("worst", {}).items())
    source = ("the shipped residuals of the calibrated catalog (none in the directory)" if shipped else "")
    intro = (f"<p>What <code>iscsim calibrate</code> left unexplained when it fitted the SMP code-path catalog to "
             f"the paper's SMP Table 1 (<code>{h.esc(path)}</code>{', ' + source if source else ''}). Only %CPU "
             "and CPI are fitted; the shares of machine clears and L2 misses come out of the mechanisms.</p>"
             f"<ul>{''.join(lines)}</ul><p>Worst: {worst}.</p>")
    columns = [("pct_cpu", "%CPU", ".1f"), ("cpi", "CPI", ".2f"), ("clear_share_pct", "clears share (%)", ".1f"),
               ("miss_share_pct", "L2 misses share (%)", ".1f")]
    rows, marks = [], {}
    for i, cell in enumerate(residuals["cells"]):
        row = [WORKLOADS.get(cell["workload"], cell["workload"]), f"CPU{cell['cpu']}", cell["bin"]]
        for key, _, spec in columns:
            tolerance = next((t for prefix, t in tolerances.items() if key.startswith(prefix)), None)
            if _beyond(cell[key], tolerance):
                marks[(i, len(row) + 1)] = "off"
            row += [h.number(cell[key].get("paper"), spec), h.number(cell[key].get("sim"), spec)]
        rows.append(row)
    headers = ["workload", "CPU", "bin"] + [side for _ in columns for side in ("paper", "sim")]
    groups = [("", 3)] + [(label, 2) for _, label, _ in columns]
    cells = h.table(headers, rows, numeric=range(3, len(headers)), cell_classes=marks, groups=groups)
    beyond = residuals.get("paths_beyond_3x_of_source", [])
    path_rows = [[p["path"], p["what"], _significant(p["sourced"]), _significant(p["fitted"]), _significant(p["ratio"])]
                 for p in beyond]
    bounds = "".join(f"<li><code>{h.esc(v)}</code></li>" for v in residuals.get("values_on_bounds", []))
    return (intro
            + h.details(f"All {len(rows)} cells, paper against simulation (shaded: beyond the tolerance)", cells)
            + clear_rates_details(residuals.get("clear_rates", []))
            + h.details(f"{len(beyond)} fitted values beyond 3x of their source (a mechanism may be missing)",
                        h.table(["path", "what", "sourced", "fitted", "ratio"], path_rows, numeric=(2, 3, 4)))
            + h.details(f"{len(residuals.get('values_on_bounds', []))} values on a bound", f"<ul>{bounds}</ul>"))


# ---- scenarios and versions ----

def _version_row(name, kind, infos):
    def values(key):
        return ", ".join(sorted({str(i[key]) for i in infos if i.get(key) is not None})) or "–"
    wall = sum(float(i.get("wall_time_s") or 0) for i in infos)
    return [name, kind, values("version"), values("simgrid_version"), values("host"), f"{wall:.1f}"]


def versions_section(runs, sweeps):
    rows = [_version_row(r.label, "run", [r.results.get("run_info", {})]) for r in runs]
    for path in sweeps:
        infos = [ir.read_json(f).get("run_info", {}) for f in _point_results(path)]
        rows.append(_version_row(os.path.basename(os.path.abspath(path)), f"sweep, {len(infos)} points", infos))
    scenario_parts = []
    for r in runs:
        overrides = r.results.get("run", {}).get("overrides", [])
        body = (f"<p>{h.esc(r.scenario.get('description', ''))}</p>"
                + (f"<p>--set {h.esc(' --set '.join(overrides))}</p>" if overrides else "")
                + h.pre(json.dumps(r.scenario, indent=2, sort_keys=True)))
        scenario_parts.append(h.details(f"{r.label} ({r.architecture}, {workload_of(r)})", body))
    for path in sweeps:
        resolved = ir.read_json(os.path.join(path, "sweep.json"))
        points = [[p.get("id", ""), " ".join(p.get("overrides", []))] for p in resolved.get("points", [])]
        body = h.pre(json.dumps(resolved.get("sweep", {}), indent=2)) + h.table(["point", "--set"], points)
        scenario_parts.append(h.details(f"sweep {os.path.basename(os.path.abspath(path))} ({len(points)} points)",
                                        body))
    return ("<p>The versions and hosts each run's <code>run_info</code> names (wall time summed over a sweep's "
            "points), then the resolved scenario of every run and every sweep file as resolved.</p>"
            + h.table(["name", "kind", "iscsim", "SimGrid", "host", "wall time (s)"], rows, numeric=(5,))
            + "".join(scenario_parts))


def _point_results(sweep_dir):
    points = os.path.join(sweep_dir, "points")
    if not os.path.isdir(points):
        return []
    return [os.path.join(points, p, "results.json") for p in sorted(os.listdir(points))
            if os.path.isfile(os.path.join(points, p, "results.json"))]


def sweep_columns(path):
    """The column names of a sweep directory's sweep.csv."""
    return list(ir.read_csv(os.path.join(path, "sweep.csv"), []).columns)
