#!/usr/bin/python3
"""Throughput and cost, the paper's Fig 3: (a) throughput with CPU utilization (2 CPUs fully
busy = 200%) and (b) GHz/Gbps, per workload (8 KB and 64 KB reads and writes), one bar per host
architecture (SMP against AMP when both are given). Where a run reports the dedicated view
(AMP: its PPEs counted fully busy), it is drawn beside the plain one as a hollow marker.

example: /usr/bin/python3 analysis/throughput.py out/smp-{read,write}-{8k,64k} out/amp-{read,write}-{8k,64k}
"""
import matplotlib.pyplot as plt
import pandas as pd

import iscsim_results as ir

COLUMNS = ["run", "series", "architecture", "workload", "op", "request_bytes", "throughput_MBps", "cpu_util_pct",
           "cpu_dedicated_pct", "ghz_per_gbps", "ghz_per_gbps_dedicated"]
GROUP_WIDTH = 0.8


def summary_rows(runs):
    """The plotted series: one row per run with the figures results.json holds."""
    rows = []
    for run in runs:
        row = {"run": run.label, "architecture": run.architecture, "op": run.op,
               "request_bytes": run.request_bytes, "workload": ir.workload_label(run.op, run.request_bytes)}
        for metric in COLUMNS[6:]:
            row[metric] = ir.number_or_none(run.metric(metric))
        rows.append(row)
    data = pd.DataFrame(rows)
    # A bar per architecture, unless two runs of one architecture share a workload: then per run.
    clash = data.duplicated(["architecture", "workload"]).any()
    data["series"] = data["run"] if clash else data["architecture"]
    data["order"] = data["op"].map({"read": 0, "write": 1}).fillna(2) * 1e12 + data["request_bytes"].fillna(0)
    data = data.sort_values(["order", "series"], kind="stable").drop(columns="order")
    return data[COLUMNS].reset_index(drop=True)


def draw(data):
    workloads = list(dict.fromkeys(data["workload"]))
    series = list(dict.fromkeys(data["series"]))
    width = GROUP_WIDTH / len(series)
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(11, 4.2))
    ax_util = ax_a.twinx()
    for i, name in enumerate(series):
        colour = ir.series_colour(name, i)
        rows = data[data["series"] == name]
        xs = [workloads.index(w) - GROUP_WIDTH / 2 + (i + 0.5) * width for w in rows["workload"]]
        ax_a.bar(xs, rows["throughput_MBps"], width, color=colour, label=f"{name} throughput")
        if rows["cpu_util_pct"].notna().any():
            ax_util.plot(xs, rows["cpu_util_pct"], "o", color="black", markerfacecolor=colour,
                         label=f"{name} CPU utilization")
            ax_b.bar(xs, rows["ghz_per_gbps"], width, color=colour, label=name)
        if rows["cpu_dedicated_pct"].notna().any():
            ax_util.plot(xs, rows["cpu_dedicated_pct"], "o", color=colour, markerfacecolor="none",
                         label=f"{name} CPU dedicated")
            ax_b.plot(xs, rows["ghz_per_gbps_dedicated"], "_", color="black", markersize=14,
                      label=f"{name} dedicated")
    for ax in (ax_a, ax_b):
        ax.set_xticks(range(len(workloads)))
        ax.set_xticklabels(workloads)
        ax.set_xlabel("workload (request size, operation)")
    ax_a.set_ylabel("throughput (MB/s)")
    ax_util.set_ylabel("CPU utilization (%, all CPUs summed)")
    ax_util.set_ylim(bottom=0)
    ax_a.set_title("(a) throughput and CPU utilization")
    ax_b.set_ylabel("cost (GHz/Gbps)")
    ax_b.set_title("(b) cost")
    bars, bar_names = ax_a.get_legend_handles_labels()
    dots, dot_names = ax_util.get_legend_handles_labels()
    ax_a.legend(bars + dots, bar_names + dot_names, fontsize=7, loc="lower left")
    ax_b.legend(fontsize=7)
    fig.tight_layout()
    return fig


def plotted(paths):
    return summary_rows(ir.load_runs(paths))


if __name__ == "__main__":
    ir.figure_main(__doc__, "throughput", ir.RUN_INPUTS, plotted, draw)
