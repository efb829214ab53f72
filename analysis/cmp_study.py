#!/usr/bin/python3
"""The chip-multiprocessor study: (a) throughput and (b) cost (GHz/Gbps) against the PPE:host
split of an AMP host's cores, with the SMP host on the same cores beside it. Reads sweep
directories whose sweep.csv has `host.architecture`, `host.cores` and `host.ppes` columns, or
whose points' results.json have those keys where the sweep fixes them (an SMP point's
`host.ppes` is ignored); any other axis that varies makes groups of its own. Repetitions of a point are averaged; the data file says
how many points each value averages. Where AMP reports the dedicated view (its PPEs counted
fully busy), it is a hollow marker on the cost bar.

example: /usr/bin/python3 analysis/cmp_study.py out/sweeps/cmp
"""
import matplotlib.pyplot as plt
import matplotlib.transforms as transforms
import pandas as pd

import iscsim_results as ir

REQUIRED = ["host.architecture", "host.cores", "host.ppes", "throughput_MBps", "ghz_per_gbps"]
# Keys a sweep may fix instead of varying (then read from its points' results.json).
SCENARIO_KEYS = ["host.architecture", "host.cores", "host.ppes"]
METRICS = ["throughput_MBps", "cpu_util_pct", "cpu_dedicated_pct", "ghz_per_gbps", "ghz_per_gbps_dedicated"]
CORE_GAP = 0.7  # blank bar widths between two core counts
BAR_WIDTH = 0.8
GROUP_LABEL_PT = 7  # font size of a group's label under the split labels
GROUP_LABEL_DROP_PT = 14  # from the axis down to a group's label: clears the split labels
LINE_SPACING = 1.25  # a text line's height in font sizes


def split_rows(sweeps):
    table = pd.concat(sweeps, ignore_index=True)
    table["architecture"] = table["host.architecture"]
    table["cores"] = pd.to_numeric(table["host.cores"], errors="coerce")
    if table["cores"].isna().any():
        raise ir.InputError("sweep.csv: host.cores: a value is not a number")
    amp = table["architecture"] == "amp"
    table["ppes"] = pd.to_numeric(table["host.ppes"], errors="coerce").where(amp)
    if table.loc[amp, "ppes"].isna().any():
        raise ir.InputError("sweep.csv: host.ppes: an AMP point has no number of PPEs")
    table["hosts"] = table["cores"] - table["ppes"]
    extra = ir.varying_axes(table, ["host.architecture", "host.cores", "host.ppes"])
    table["variant"] = [" ".join(f"{c}={row[c]}" for c in extra) for _, row in table.iterrows()]
    table["split"] = [f"{int(p)}:{int(h)}" if a == "amp" else a.upper()
                      for a, p, h in zip(table["architecture"], table["ppes"], table["hosts"])]
    for metric in METRICS:
        table[metric] = pd.to_numeric(table[metric], errors="coerce") if metric in table.columns else float("nan")
    grouped = table.groupby(["cores", "variant", "architecture", "split"], sort=False, dropna=False)
    data = grouped.agg(ppes=("ppes", "first"), hosts=("hosts", "first"),
                       **{m: (m, "mean") for m in METRICS}, points=("throughput_MBps", "size")).reset_index()
    # SMP first on each core count, then the splits by PPEs.
    data["order"] = (data["architecture"] != "smp").astype(int) * 1000 + data["ppes"].fillna(0)
    data = data.sort_values(["cores", "variant", "order"], kind="stable").drop(columns="order").reset_index(drop=True)
    return data[["cores", "variant", "architecture", "split", "ppes", "hosts"] + METRICS + ["points"]]


def draw(data):
    xs, labels, groups, x, previous = [], [], {}, 0.0, None
    for cores, variant, split in zip(data["cores"], data["variant"], data["split"]):
        if previous is not None and (cores, variant) != previous:
            x += CORE_GAP
        xs.append(x)
        labels.append(split)
        groups.setdefault((cores, variant), []).append(x)
        previous = (cores, variant)
        x += 1
    colours = [ir.series_colour(a, 0) for a in data["architecture"]]
    fig, (ax_a, ax_b) = plt.subplots(1, 2, figsize=(max(8.0, 1.3 * len(xs) + 2), 4.2))
    ax_a.bar(xs, data["throughput_MBps"], BAR_WIDTH, color=colours)
    ax_b.bar(xs, data["ghz_per_gbps"], BAR_WIDTH, color=colours)
    if data["ghz_per_gbps_dedicated"].notna().any():
        ax_b.plot(xs, data["ghz_per_gbps_dedicated"], "o", color="black", markerfacecolor="none",
                  label="dedicated (PPEs fully busy)")
        ax_b.legend(fontsize=8)
    # Under each group of bars: its core count and other varying keys, a line each.
    group_lines = max(1 + len(variant.split()) for _, variant in groups)
    for ax in (ax_a, ax_b):
        ax.set_xticks(xs)
        ax.set_xticklabels(labels, fontsize=8)
        below_ticks = transforms.offset_copy(ax.get_xaxis_transform(), fig=fig, y=-GROUP_LABEL_DROP_PT, units="points")
        for (cores, variant), group in groups.items():
            ax.text(sum(group) / len(group), 0, "\n".join([f"{int(cores)} cores"] + variant.split()),
                    transform=below_ticks, ha="center", va="top", fontsize=GROUP_LABEL_PT)
        ax.set_xlabel("PPE:host split (SMP: every core runs everything)",
                      labelpad=group_lines * GROUP_LABEL_PT * LINE_SPACING + GROUP_LABEL_DROP_PT / 2)
    ax_a.set_ylabel("throughput (MB/s)")
    ax_a.set_title("(a) throughput")
    ax_b.set_ylabel("cost (GHz/Gbps)")
    ax_b.set_title("(b) cost")
    fig.tight_layout()
    return fig


def plotted(paths):
    return split_rows([ir.load_sweep(s, REQUIRED, SCENARIO_KEYS) for s in paths])


if __name__ == "__main__":
    ir.figure_main(__doc__, "cmp_study", ir.SWEEP_INPUTS, plotted, draw)
