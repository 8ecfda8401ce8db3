"""Compiles every Onsite catalogue (the project's and each app's) into .mo files."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
failed = False
for po in sorted(ROOT.glob("config/locale/*/LC_MESSAGES/*.po")) + sorted(
    ROOT.glob("onsite/*/locale/*/LC_MESSAGES/*.po")
):
    mo = po.with_suffix(".mo")
    if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
        continue
    result = subprocess.run(
        ["msgfmt", "--check-format", "-o", str(mo), str(po)], capture_output=True, text=True
    )
    if result.returncode:
        failed = True
        print(f"{po.relative_to(ROOT)}: {result.stderr.strip()}", file=sys.stderr)
sys.exit(1 if failed else 0)
