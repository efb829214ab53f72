#!/usr/bin/python3
"""The reproduction report: one self-contained HTML page (figures inline, no script, nothing
fetched) of a directory of iscsim outputs, such as the out/ of scripts/reproduce.sh. It finds
in DIR, at any depth, run directories (results.json), compare directories (compare.json) and
sweep directories (sweep.json and sweep.csv), and shows:

  * every run's summary; Table 1 of each run with CPUs (64 KB ones open); Table 2 of each compare;
  * Fig 3 (throughput, CPU utilization, GHz/Gbps of the SMP and AMP runs), Fig 5/6 (hotspot
    profiles per workload), Fig 4 (each sweep with a host.cpu.frequency_ghz axis) and the
    chip-multiprocessor study (each sweep with a host.cores or host.ppes axis), drawn by the
    figure scripts of analysis/, each with its data file;
  * the calibration residuals: a *.residuals.json in DIR, else the shipped
    scenarios/paper/calibration/linux-2.4-calibrated.residuals.json;
  * the versions (run_info) and the resolved scenarios and sweep files.

Writes DIR/report.html (or -o FILE) atomically: a temporary sibling renamed into place, removed
on an error, Ctrl-C (exit 130) or SIGTERM (143). Bad input exits 2 naming the file.
`iscsim report DIR` runs this script.

example: /usr/bin/python3 analysis/report.py out
"""
import argparse
import os
import signal
import sys

import iscsim_results as ir
import report_html as h
import report_sections as s

FREQUENCY_AXIS = "host.cpu.frequency_ghz"
CMP_AXES = ("host.cores", "host.ppes")
SHIPPED_RESIDUALS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scenarios", "paper",
                                 "calibration", "linux-2.4-calibrated.residuals.json")
RESIDUALS_SUFFIX = ".residuals.json"
REPORT_NAME = "report.html"
EXIT_SIGNAL_BASE = 128


class Interrupted(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C so the temporary file is removed."""

    def __init__(self, signum):
        super().__init__(signum)
        self.signum = signum


class Reproduction:
    """What a directory holds, found by the files each kind of output directory has."""

    def __init__(self, root):
        if not os.path.isdir(root):
            raise ir.InputError(f"{root}: not a directory (expected a directory of iscsim outputs, e.g. out/)")
        self.root = root
        run_dirs, compare_dirs, self.sweeps, residuals = [], [], [], []
        for directory, subdirs, files in os.walk(root):
            subdirs[:] = sorted(d for d in subdirs if not d.startswith("."))  # staging siblings are hidden
            if "sweep.json" in files and "sweep.csv" in files:
                self.sweeps.append(directory)
            elif "results.json" in files:
                run_dirs.append(directory)
            elif "compare.json" in files:
                compare_dirs.append(directory)
            else:
                residuals += [os.path.join(directory, f) for f in sorted(files) if f.endswith(RESIDUALS_SUFFIX)]
                continue
            subdirs[:] = []  # an output directory's insides are its own
        self.runs = ir.load_runs(run_dirs) if run_dirs else []
        self.compares = [ir.load_compare(d) for d in compare_dirs]
        if not (self.runs or self.compares or self.sweeps):
            raise ir.InputError(f"{root}: no run (results.json), compare (compare.json) or sweep (sweep.json, "
                                "sweep.csv) directory in it: nothing to report")
        self.residuals_path = residuals[0] if residuals else os.path.normpath(SHIPPED_RESIDUALS)
        self.residuals_shipped = not residuals
        self.residuals = ir.read_json(self.residuals_path)
        for key in ("cells", "targets"):
            if key not in self.residuals:
                raise ir.InputError(f"{self.residuals_path}: {key}: missing; not a residuals file of iscsim calibrate")

    def sweeps_with(self, axes):
        return [d for d in self.sweeps if any(a in s.sweep_columns(d) for a in axes)]


def sections(rep):
    """(anchor, heading, html) of every section that has something to show, and what is absent."""
    costed = [r for r in rep.runs if r.cpus()]
    paper_runs = [r for r in rep.runs if s.is_costed_iometer(r)]
    frequency = rep.sweeps_with([FREQUENCY_AXIS])
    cmp = rep.sweeps_with(CMP_AXES)
    candidates = [
        ("runs", "Runs", rep.runs, lambda: s.runs_section(rep.runs)),
        ("fig3", "Fig 3: throughput, CPU utilization and cost", paper_runs, lambda: s.fig3_section(paper_runs)),
        ("table1", "Table 1: per CPU and bin", costed, lambda: s.table1_section(costed)),
        ("table2", "Table 2: improvement per bin", rep.compares, lambda: s.table2_section(rep.compares)),
        ("hotspots", "Fig 5 and 6: hotspot profiles", costed, lambda: s.hotspot_section(costed)),
        ("fig4", "Fig 4: frequency scaling", frequency, lambda: s.fig4_section(frequency)),
        ("cmp", "Chip multiprocessors: the PPE:host split", cmp, lambda: s.cmp_section(cmp)),
        ("calibration", "Calibration residuals", [rep.residuals], lambda: s.residuals_section(
            rep.residuals, rep.residuals_path, rep.residuals_shipped)),
        ("versions", "Scenarios and versions", rep.runs + rep.sweeps, lambda: s.versions_section(rep.runs, rep.sweeps)),
    ]
    present = [(anchor, heading, build()) for anchor, heading, inputs, build in candidates if inputs]
    absent = [heading for _, heading, inputs, _ in candidates if not inputs]
    return present, absent


def _count(items, noun):
    return f"{len(items)} {noun}{'' if len(items) == 1 else 's'}"


def render(rep):
    present, absent = sections(rep)
    counts = (f"{_count(rep.runs, 'run')}, {_count(rep.compares, 'comparison')} and {_count(rep.sweeps, 'sweep')} "
              f"found in <code>{h.esc(os.path.abspath(rep.root))}</code>.")
    missing = f" Not in this directory: {h.esc('; '.join(absent))}." if absent else ""
    lead = ("A reproduction of Foong et al., <i>An Architecture for Software-Based iSCSI</i>, by the iscsim "
            f"simulator. AMP figures are predictions: nothing is fitted to the paper's AMP measurements. {counts}"
            f"{missing}")
    return h.page("iscsim reproduction report", lead, present)


def check_output(path):
    """The output file's path, checked before any work (InputError naming -o)."""
    if os.path.isdir(path):
        raise ir.InputError(f"-o {path}: is a directory; expected the HTML file to write")
    parent = os.path.dirname(os.path.abspath(path))
    existing = parent
    while not os.path.exists(existing):
        existing = os.path.dirname(existing)
    if not os.path.isdir(existing):
        raise ir.InputError(f"-o {path}: {existing} is not a directory")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise ir.InputError(f"-o {path}: {existing} is not writable")


def run(argv, prog):
    p = argparse.ArgumentParser(prog=prog, description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("dir", metavar="DIR", help="a directory of iscsim outputs (run, compare and sweep directories)")
    p.add_argument("-o", "--out", metavar="FILE", help=f"the HTML file to write (default: DIR/{REPORT_NAME})")
    args = p.parse_args(argv)
    out = args.out or os.path.join(args.dir, REPORT_NAME)
    check_output(out)
    ir.write_text(out, render(Reproduction(args.dir)))
    return out


def _interrupted(signum, _frame):
    raise Interrupted(signum)


def main():
    # `iscsim report` runs this script and names itself in help and messages.
    prog = os.environ.get("ISCSIM_COMMAND", os.path.basename(sys.argv[0]))
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupted)
    try:
        print(f"wrote {run(sys.argv[1:], prog)}")
    except ir.InputError as e:
        print(f"{prog}: {e}", file=sys.stderr)
        sys.exit(ir.EXIT_BAD_INPUT)
    except KeyboardInterrupt:
        sys.exit(EXIT_SIGNAL_BASE + signal.SIGINT)
    except Interrupted as e:
        sys.exit(EXIT_SIGNAL_BASE + e.signum)


if __name__ == "__main__":
    main()
