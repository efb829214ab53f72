#!/usr/bin/env python3
"""Summarizes iscsi-test-cu's output (its default verbose mode) as passed / failed / skipped.

CUnit counts a test that libiscsi skips (the target lacks an opcode) as passed; libiscsi prints
"[SKIPPED]" inside such a test, which is what tells them apart here. A suite's setup prints its
own "[SKIPPED] PERSISTENT RESERVE IN is not implemented." after the previous test's result,
which is why a test's text ends at its result marker.

usage: cu-summary.py OUTPUT.txt [--by-suite] [--failed]
"""
import re
import sys
from collections import Counter, OrderedDict

TEST = re.compile(r"^  Test: (\S+) \.\.\.", re.M)
RESULT = re.compile(r"(?:\.\.\.|^)(passed|FAILED)", re.M)
SUITE = re.compile(r"^Suite: (\S+)", re.M)


def parse(text):
    """[(suite, test, 'passed'|'failed'|'skipped')] in the order they ran."""
    suites = [(m.start(), m.group(1)) for m in SUITE.finditer(text)]
    results = []
    for m in TEST.finditer(text):
        suite = [name for at, name in suites if at < m.start()][-1] if suites else "?"
        r = RESULT.search(text, m.end() - 3)
        if not r:
            results.append((suite, m.group(1), "failed"))  # the run died inside this test
            continue
        body = text[m.end():r.start()]
        if r.group(1) == "FAILED":
            status = "failed"
        elif "[SKIPPED]" in body:
            status = "skipped"
        else:
            status = "passed"
        results.append((suite, m.group(1), status))
    return results


def main():
    args = sys.argv[1:]
    if not args:
        sys.exit(__doc__)
    results = parse(open(args[0], errors="replace").read())
    if "--by-suite" in args:
        per = OrderedDict()
        for suite, _, status in results:
            per.setdefault(suite, Counter())[status] += 1
        for suite, c in per.items():
            print(f"{suite:28} {c['passed']:3} passed {c['failed']:3} failed {c['skipped']:3} skipped")
    total = Counter(status for _, _, status in results)
    print(f"{len(results)} tests: {total['passed']} passed, {total['failed']} failed, {total['skipped']} skipped")
    if "--failed" in args:
        for suite, test, status in results:
            if status == "failed":
                print(f"FAILED {suite}.{test}")


if __name__ == "__main__":
    main()
