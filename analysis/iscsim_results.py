"""Readers for iscsim's result files and what every figure script shares.

The scripts in analysis/ read only what iscsim writes: a run directory (results.json,
bins.csv), a compare directory (compare.json), a sweep directory (sweep.csv, sweep-bins.csv).
They never recompute a figure iscsim already wrote (pct_cpu, throughput_MBps, ghz_per_gbps...).
Bad input raises InputError; main() turns it into one message on stderr and exit status 2.
"""
import argparse
import json
import os
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

# The paper's bins (Table 1), idle first as results.json orders them.
BINS = ["idle", "others", "SCSI", "iSCSI", "Interface", "Kernel", "TCP", "Copies", "Driver"]
BUSY_BINS = BINS[1:]
COUNTERS = ["cycles", "instr", "clears", "l2_misses", "pct_cpu", "cpi"]

# One colour per bin, the same in every figure (matplotlib's tab10 order, idle light grey).
BIN_COLOURS = {
    "idle": "#d9d9d9",
    "others": "#7f7f7f",
    "SCSI": "#1f77b4",
    "iSCSI": "#17becf",
    "Interface": "#9467bd",
    "Kernel": "#ff7f0e",
    "TCP": "#d62728",
    "Copies": "#2ca02c",
    "Driver": "#8c564b",
}
# One colour per host architecture, the same in every figure.
ARCH_COLOURS = {"smp": "#1f77b4", "amp": "#d62728", "ideal": "#7f7f7f"}
OTHER_COLOURS = ["#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#bcbd22", "#17becf"]

# Summary metrics of results.json, with the labels figures and tables give them.
METRIC_LABELS = {
    "throughput_MBps": "throughput (MB/s)",
    "iops": "IOPS (1/s)",
    "cpu_util_pct": "CPU utilization (%)",
    "ghz_per_gbps": "cost (GHz/Gbps)",
    "cpu_dedicated_pct": "CPU dedicated (%)",
    "ghz_per_gbps_dedicated": "cost dedicated (GHz/Gbps)",
}

# Top-level sections of a scenario: a sweep table's column under one of them is an axis.
SCENARIO_SECTIONS = ("host", "nics", "pci", "link", "tcp", "workload", "target", "iscsi", "run", "amp")
# Points that differ only in this axis are repetitions: figures average them.
REPETITION_AXIS = "run.seed"

EXIT_BAD_INPUT = 2
FILE_MODE = 0o666  # what open() would create, before the umask


class InputError(Exception):
    """Bad input: a missing or malformed file, or an option out of range."""


class Run:
    """One run directory: results.json as a dict, bins.csv as a DataFrame."""

    def __init__(self, path):
        file = os.path.join(path, "results.json") if os.path.isdir(path) else path
        if not os.path.isfile(file):
            raise InputError(f"{path}: no results.json (expected a run directory written by iscsim run)")
        self.path = file
        self.dir = os.path.dirname(os.path.abspath(file))
        self.label = os.path.basename(self.dir)
        self.results = read_json(file)
        for key in ("scenario", "summary", "cpus"):
            if key not in self.results:
                raise InputError(f"{file}: {key}: missing; not an iscsim results file")
        bins_file = os.path.join(self.dir, "bins.csv")
        if not os.path.isfile(bins_file):
            raise InputError(f"{bins_file}: missing (every run directory has bins.csv)")
        self.bins = read_csv(bins_file, ["cpu", "role", "bin", "counter", "value"])

    @property
    def scenario(self):
        return self.results["scenario"]

    @property
    def summary(self):
        return self.results["summary"]

    @property
    def architecture(self):
        return self.scenario.get("host", {}).get("architecture", "")

    @property
    def op(self):
        return self.scenario.get("workload", {}).get("op", "")

    @property
    def request_bytes(self):
        return self.scenario.get("workload", {}).get("request_bytes")

    def metric(self, key):
        """A summary figure, or None where the run has none (null, absent)."""
        return self.summary.get(key)

    def cpus(self):
        """(id, role) of every CPU, in results.json's order."""
        return [(int(c["id"]), c["role"]) for c in self.results["cpus"]]

    def bin_values(self, counter):
        """bins.csv rows of one counter: DataFrame cpu, role, bin, value (float, NaN where empty)."""
        rows = self.bins[self.bins["counter"] == counter][["cpu", "role", "bin", "value"]].copy()
        rows["cpu"] = rows["cpu"].astype(int)
        rows["value"] = pd.to_numeric(rows["value"], errors="coerce")
        return rows


def workload_label(op, request_bytes):
    """'64 KB write' for op write, 65536 B."""
    if request_bytes is None or request_bytes != request_bytes:
        return str(op)
    size = int(request_bytes)
    size_text = f"{size // 1024} KB" if size % 1024 == 0 else f"{size} B"
    return f"{size_text} {op}".strip()


def load_runs(paths):
    if not paths:
        raise InputError("no run directories given")
    return [Run(p) for p in paths]


def load_compare(path):
    file = os.path.join(path, "compare.json") if os.path.isdir(path) else path
    if not os.path.isfile(file):
        raise InputError(f"{path}: no compare.json (expected a directory written by iscsim compare)")
    data = read_json(file)
    for key in ("table2", "summary", "base", "other"):
        if key not in data:
            raise InputError(f"{file}: {key}: missing; not a compare.json")
    data["path"] = file
    return data


def load_sweep(path, required, scenario_keys=()):
    """sweep.csv of a sweep directory as a DataFrame with a 'sweep' column (the directory's
    name); `required` columns must exist, any others are kept. Rows without a throughput (failed
    points) are dropped. A key of `scenario_keys` that is not an axis (a sweep's fixed setting)
    is read from each point's results.json (points/POINT/results.json) where they exist."""
    file = os.path.join(path, "sweep.csv") if os.path.isdir(path) else path
    if not os.path.isfile(file):
        raise InputError(f"{path}: no sweep.csv (expected a directory written by iscsim sweep)")
    columns = [c for c in required if c not in scenario_keys]
    if scenario_keys:
        columns.append("point")  # names the point's directory
    table = read_csv(file, columns)
    fixed = [k for k in scenario_keys if k not in table.columns]
    if fixed:
        scenarios = [_point_scenario(os.path.dirname(file), point) for point in table["point"]]
        for key in fixed:
            values = [_dotted(s, key) for s in scenarios]
            if any(v is not None for v in values):
                table[key] = ["" if v is None else str(v) for v in values]
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(f"{file}: missing column(s) {', '.join(missing)}, neither an axis nor in the points' "
                         f"results.json; found {', '.join(table.columns)}")
    for column in METRIC_LABELS:
        if column in table.columns:
            table[column] = pd.to_numeric(table[column], errors="coerce")
    if "throughput_MBps" in table.columns:
        table = table[table["throughput_MBps"].notna()]
    table.insert(0, "sweep", os.path.basename(os.path.dirname(os.path.abspath(file))))
    return table


def varying_axes(table, exclude):
    """Scenario-key columns of a sweep table (dotted, under a scenario section) other than
    `exclude` and run.seed that take more than one value: what must tell plotted points apart."""
    return [c for c in table.columns
            if "." in c and c.split(".")[0] in SCENARIO_SECTIONS and c not in exclude and c != REPETITION_AXIS
            and table[c].nunique() > 1]


def read_csv(file, required):
    try:
        table = pd.read_csv(file, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as e:
        raise InputError(f"{file}: cannot read as CSV: {e}") from e
    missing = [c for c in required if c not in table.columns]
    if missing:
        raise InputError(f"{file}: missing column(s) {', '.join(missing)}; found {', '.join(table.columns)}")
    return table


def _point_scenario(sweep_dir, point):
    """The resolved scenario in a sweep point's results.json; {} where the point has none."""
    file = os.path.join(sweep_dir, "points", point, "results.json")
    return read_json(file).get("scenario", {}) if os.path.isfile(file) else {}


def _dotted(tree, key):
    """tree["a"]["b"] for key "a.b"; None where there is none."""
    for part in key.split("."):
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def read_json(file):
    try:
        with open(file, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise InputError(f"{file}: not valid JSON: {e}") from e


def series_colour(name, index):
    return ARCH_COLOURS.get(name, OTHER_COLOURS[index % len(OTHER_COLOURS)])


def number_or_none(value):
    """A JSON number as float, None for null or absent (empty cells in data files)."""
    return None if value is None else float(value)


# ---- command line and output ----

def parser(description, default_name=None, default_out="out/figures"):
    """A script's options: -o DIR, and --name NAME for a figure's files."""
    p = argparse.ArgumentParser(description=description, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("-o", "--out", default=default_out, help=f"output directory (default: {default_out})")
    if default_name:
        p.add_argument("--name", default=default_name,
                       help=f"base name of the files written: NAME.png, NAME.svg, NAME.data.csv (default: {default_name})")
    return p


def write_text(path, text):
    """Writes `text` to `path` atomically."""
    def write(tmp):
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(text)
    write_atomically(path, write)


def check_out_dir(out):
    if os.path.exists(out) and not os.path.isdir(out):
        raise InputError(f"-o {out}: exists and is not a directory")


def write_atomically(path, write):
    """Calls write(tmp_path), then renames tmp_path onto path: a reader never sees half a file."""
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".partial-", dir=directory)
    os.close(fd)
    try:
        os.chmod(tmp, FILE_MODE & ~_umask())  # mkstemp's file is private; outputs are not
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _umask():
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save_figure(fig, data, out, name):
    """Writes NAME.png, NAME.svg and NAME.data.csv (exactly the plotted series) into `out`."""
    base = os.path.join(out, name)
    write_atomically(base + ".data.csv", lambda tmp: data.to_csv(tmp, index=False))
    for ext in ("png", "svg"):
        write_atomically(base + "." + ext, lambda tmp, ext=ext: fig.savefig(tmp, format=ext, bbox_inches="tight"))
    plt.close(fig)
    return [base + ext for ext in (".png", ".svg", ".data.csv")]


RUN_INPUTS = ("RUN_DIR", "run directories (results.json, bins.csv)")
SWEEP_INPUTS = ("SWEEP_DIR", "sweep directories (sweep.csv)")


def figure_main(doc, default_name, inputs, plotted, draw):
    """A figure script: the inputs (RUN_INPUTS or SWEEP_INPUTS) -> plotted(paths), the DataFrame
    of exactly the plotted series -> draw(data), a matplotlib figure; both saved into -o DIR."""
    def run(argv):
        p = parser(doc, default_name)
        p.add_argument("inputs", nargs="+", metavar=inputs[0], help=inputs[1])
        args = p.parse_args(argv)
        check_out_dir(args.out)
        data = plotted(args.inputs)
        if data.empty:
            raise InputError("nothing to plot: the inputs hold no finished point")
        return save_figure(draw(data), data, args.out, args.name)
    main(run)


def main(run):
    """Runs a script's body; InputError: one message, exit status 2."""
    try:
        written = run(sys.argv[1:])
    except InputError as e:
        print(f"{os.path.basename(sys.argv[0])}: {e}", file=sys.stderr)
        sys.exit(EXIT_BAD_INPUT)
    for path in written:
        print(f"wrote {path}")
