#!/usr/bin/env bash
# Re-runs every deterministic figure README.md and models/COST-MODEL.md print (each marked by a
# `<!-- figure ... -->` comment; scripts/check_readme.py explains the convention) and fails when
# one differs from the text beyond its printed precision.
#   bash scripts/check-readme.sh [--cheap] [--update] [--iscsim BINARY]
# --cheap: only the figures marked (cheap), a few seconds in all (the test suite runs this).
# --update: rewrite the drifted figures (check_readme.py explains what it edits); review the diff.
# The binary defaults to build/iscsim.
set -euo pipefail
cd "$(dirname "$0")/.."

iscsim=build/iscsim
cheap=()
update=()
while [ $# -gt 0 ]; do
  case "$1" in
    --cheap) cheap=(--cheap) ;;
    --update) update=(--update) ;;
    --iscsim) iscsim=$2; shift ;;
    *) echo "check-readme: unknown option $1; allowed: --cheap, --update, --iscsim BINARY" >&2; exit 2 ;;
  esac
  shift
done
if [ ! -x "$iscsim" ]; then
  echo "check-readme: $iscsim is not an executable iscsim; build it or pass --iscsim BINARY" >&2
  exit 2
fi
# Debian's interpreter: the first python3 on PATH may be another one.
exec /usr/bin/python3 scripts/check_readme.py --readme README.md models/COST-MODEL.md --iscsim "$(realpath "$iscsim")" "${cheap[@]}" "${update[@]}"
