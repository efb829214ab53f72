#!/usr/bin/python3
"""Hotspot profiles, the paper's Fig 5 (64 KB reads) and Fig 6 (64 KB writes): per CPU, labelled
with its role, the busy bins stacked as %CPU of that CPU; several runs side by side (SMP and
AMP when both are given).

example: /usr/bin/python3 analysis/hotspots.py out/smp-read-64k out/amp-read-64k --name fig5-reads
"""
import sys

import matplotlib.pyplot as plt
import pandas as pd

import iscsim_results as ir

BAR_WIDTH = 0.8
RUN_GAP = 0.6  # blank bar widths between two runs' groups
RUN_LABEL_Y = -0.13  # a run's name under its CPUs' labels, in axes height


def profile_rows(runs):
    """The plotted series: one row per run, CPU and busy bin with that CPU's pct_cpu."""
    rows = []
    for index, run in enumerate(runs):
        pct = run.bin_values("pct_cpu")
        for cpu, role in run.cpus():
            for b in ir.BUSY_BINS:
                value = pct[(pct["cpu"] == cpu) & (pct["bin"] == b)]["value"]
                if value.empty:
                    raise ir.InputError(f"{run.path}: bins.csv has no pct_cpu for CPU {cpu}, bin {b}")
                rows.append({"run": run.label, "run_index": index, "architecture": run.architecture,
                             "workload": ir.workload_label(run.op, run.request_bytes),
                             "cpu": cpu, "role": role, "bin": b, "pct_cpu": float(value.iloc[0])})
    return pd.DataFrame(rows, columns=["run", "run_index", "architecture", "workload", "cpu", "role", "bin",
                                       "pct_cpu"])


def draw(data):
    cpus = data[["run_index", "run", "architecture", "cpu", "role"]].drop_duplicates()
    positions, labels, groups, x = {}, [], {}, 0.0
    previous_run = None
    for _, c in cpus.iterrows():
        if previous_run is not None and c["run_index"] != previous_run:
            x += RUN_GAP
        positions[(c["run_index"], c["cpu"])] = x
        labels.append(f"CPU{c['cpu']}\n{c['role']}")
        groups.setdefault((c["run_index"], f"{c['run']}\n({c['architecture']})"), []).append(x)
        previous_run = c["run_index"]
        x += 1
    fig, ax = plt.subplots(figsize=(max(4.0, 1.1 * len(positions) + 2.5), 4.5))
    xs = list(positions.values())
    bottom = [0.0] * len(xs)
    for b in ir.BUSY_BINS:
        heights = [float(data[(data["run_index"] == r) & (data["cpu"] == c) & (data["bin"] == b)]["pct_cpu"].iloc[0])
                   for (r, c) in positions]
        ax.bar(xs, heights, BAR_WIDTH, bottom=bottom, color=ir.BIN_COLOURS[b], label=b)
        bottom = [lo + h for lo, h in zip(bottom, heights)]
    ax.set_xticks(xs)
    ax.set_xticklabels(labels, fontsize=8)
    for (_, name), group in groups.items():
        ax.text(sum(group) / len(group), RUN_LABEL_Y, name, transform=ax.get_xaxis_transform(), ha="center",
                va="top", fontsize=8)
    ax.set_ylabel("share of the CPU's cycles (%CPU)")
    ax.set_ylim(0, 100)
    workloads = sorted(set(data["workload"]))
    ax.set_title("Hotspot profile per CPU" + (f": {workloads[0]}" if len(workloads) == 1 else ""))
    handles, names = ax.get_legend_handles_labels()
    ax.legend(handles[::-1], names[::-1], title="bin", loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=8)
    return fig


def plotted(paths):
    runs = ir.load_runs(paths)
    costed = [r for r in runs if r.cpus()]
    for r in runs:
        if not r.cpus():
            print(f"hotspots.py: {r.path}: no CPUs (the ideal host), left out", file=sys.stderr)
    if not costed:
        raise ir.InputError("none of the runs has CPUs to profile (ideal hosts only)")
    return profile_rows(costed)


if __name__ == "__main__":
    ir.figure_main(__doc__, "hotspots", ir.RUN_INPUTS, plotted, draw)
