"""check_readme.py --update on a fixture: drifted figures are rewritten in their marks and, where
the prose prints them once, in the prose at the same precision; a figure printed twice and a
generated table are left to their author and reported; figures that did not drift are untouched."""
import pathlib
import shutil
import subprocess
import sys
import tempfile

here = pathlib.Path(__file__).resolve().parent
script = here.parents[1] / "scripts" / "check_readme.py"
iscsim = sys.argv[1]

with tempfile.TemporaryDirectory() as scratch:
    readme = pathlib.Path(scratch) / "README.md"
    shutil.copy(here / "drifted-figures.md", readme)
    run = subprocess.run([sys.executable, str(script), "--readme", str(readme), "--iscsim", iscsim, "--cheap", "--update"],
                         capture_output=True, text=True)
    text = readme.read_text()
    expected = [
        "The fit keeps 42 cells, a rate of 2.5% and a worst of +8.0 points; it moved 25,000 lines.",
        "<!-- figure 42: calc => 42 (cheap) -->",
        "<!-- figure 2.5%: calc => 2.46 (cheap) -->",
        "<!-- figure +8.0: calc => 8.04 (cheap) -->",
        "<!-- figure 25,000: calc => 25400 (cheap) -->",
        "Twice printed: 12 before and 12 now, so a person decides which one moves.",
        "<!-- figure 13: calc => 13 (cheap) -->",
        "| a generated row keeps its 5 | 5 |",
        "<!-- figure 6: calc => 6 (cheap) -->",
    ]
    missing = [line for line in expected if line not in text.split("\n")]
    assert not missing, f"not in the updated file: {missing}\n{text}"
    assert run.returncode == 1, run.returncode  # the run itself found figures that drifted
    assert ": 12 -> 13: 2 places print 12 above it; edit by hand" in run.stderr, run.stderr
    assert ": 5 -> 6: 0 places print 5 above it; edit by hand" in run.stderr, run.stderr
    assert "3 of 5 drifted figures rewritten in the prose; 2 left to edit by hand" in run.stdout, run.stdout
print("readme update: ok")
