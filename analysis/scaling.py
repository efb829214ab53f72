#!/usr/bin/python3
"""Frequency scaling, the paper's Fig 4: cost (GHz/Gbps) against CPU frequency, one line per
host architecture and operation (the flatter, the better the scaling). Reads sweep directories
whose sweep.csv has a `host.cpu.frequency_ghz` column and optionally `host.architecture`,
`workload.op` and `workload.request_bytes` (where the sweep fixes one, it is read from the
points' results.json); a sweep without them is one line named after its
directory, and any other axis that varies splits the lines too. Repetitions of a point (other columns equal, e.g. `run.seed`) are averaged; the
data file says how many points each value averages. Where AMP reports the dedicated view (its
PPEs counted fully busy), it is a dotted line beside the plain one.

example: /usr/bin/python3 analysis/scaling.py out/sweeps/fig4-smp out/sweeps/fig4-amp
"""
import matplotlib.pyplot as plt
import pandas as pd

import iscsim_results as ir

FREQUENCY = "host.cpu.frequency_ghz"
SERIES_COLUMNS = ["host.architecture", "workload.request_bytes", "workload.op"]
OP_STYLES = {"read": "-", "write": "--"}


def series_label(row, columns, several_sweeps):
    parts = []
    for c in columns:
        value = row[c]
        if c == "workload.request_bytes" and value != "":
            value = ir.workload_label("", int(float(value)))
        elif c not in SERIES_COLUMNS:
            value = f"{c}={value}"
        parts.append(str(value))
    label = " ".join(p for p in parts if p)
    if several_sweeps or not label:
        label = f"{row['sweep']}: {label}" if label else row["sweep"]
    return label


def scaling_rows(sweeps):
    table = pd.concat(sweeps, ignore_index=True).fillna("")
    columns = [c for c in SERIES_COLUMNS if c in table.columns]
    columns += ir.varying_axes(table, SERIES_COLUMNS + [FREQUENCY])
    several = table["sweep"].nunique() > 1
    table["series"] = [series_label(r, columns, several) for _, r in table.iterrows()]
    table["architecture"] = table["host.architecture"] if "host.architecture" in table.columns else ""
    table["op"] = table["workload.op"] if "workload.op" in table.columns else ""
    table["frequency_ghz"] = pd.to_numeric(table[FREQUENCY], errors="coerce")
    if table["frequency_ghz"].isna().any():
        raise ir.InputError(f"sweep.csv: {FREQUENCY}: a value is not a number")
    for metric in ("ghz_per_gbps", "ghz_per_gbps_dedicated"):
        table[metric] = pd.to_numeric(table[metric], errors="coerce") if metric in table.columns else float("nan")
    grouped = table.groupby(["series", "architecture", "op", "frequency_ghz"], sort=False)
    data = grouped.agg(ghz_per_gbps=("ghz_per_gbps", "mean"),
                       ghz_per_gbps_dedicated=("ghz_per_gbps_dedicated", "mean"),
                       points=("ghz_per_gbps", "size")).reset_index()
    return data.sort_values(["series", "frequency_ghz"], kind="stable").reset_index(drop=True)


def draw(data):
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    for i, (name, rows) in enumerate(data.groupby("series", sort=False)):
        colour = ir.series_colour(rows["architecture"].iloc[0], i)
        style = OP_STYLES.get(rows["op"].iloc[0], "-")
        ax.plot(rows["frequency_ghz"], rows["ghz_per_gbps"], style, marker="o", color=colour, label=name)
        if rows["ghz_per_gbps_dedicated"].notna().any():
            ax.plot(rows["frequency_ghz"], rows["ghz_per_gbps_dedicated"], ":", marker="o", markerfacecolor="none",
                    color=colour, label=f"{name} (dedicated)")
    ax.set_xlabel("CPU frequency (GHz)")
    ax.set_ylabel("cost (GHz/Gbps)")
    ax.set_ylim(bottom=0)
    ax.set_title("Frequency scaling (the flatter, the better)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def plotted(paths):
    return scaling_rows([ir.load_sweep(s, [FREQUENCY, "ghz_per_gbps"], [FREQUENCY] + SERIES_COLUMNS) for s in paths])


if __name__ == "__main__":
    ir.figure_main(__doc__, "scaling", ir.SWEEP_INPUTS, plotted, draw)
