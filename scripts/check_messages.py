"""Refreshes the catalogues from the code, then fails if any zh-hans message is missing
or fuzzy. English is the source language: its catalogue is regenerated with msgstr = msgid.

Files whose only change is a header timestamp are restored, so a clean run leaves git clean."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VOLATILE = ('"POT-Creation-Date:', '"PO-Revision-Date:')


def catalogues(only: Path | None = None) -> list[Path]:
    if only is not None:
        return sorted(only.glob("locale/*/LC_MESSAGES/django.po"))
    return sorted(ROOT.glob("config/locale/*/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("onsite/*/locale/*/LC_MESSAGES/django.po")
    )


def stable(text: str) -> list[str]:
    return [line for line in text.splitlines() if not line.startswith(VOLATILE)]


def main() -> int:
    # `check_messages.py onsite/<app>` refreshes one app's catalogue only.
    only = (ROOT / sys.argv[1]).resolve() if len(sys.argv) > 1 else None
    before = {po: po.read_text() for po in catalogues(only)}
    for po in before:
        if "/en/" in str(po):
            po.unlink()
    # Every app gets a catalogue: makemessages puts a file's strings in the nearest locale/.
    for app in sorted((ROOT / "onsite").iterdir()):
        if (app / "apps.py").exists():
            (app / "locale").mkdir(exist_ok=True)
    (ROOT / "config" / "locale").mkdir(exist_ok=True)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "makemessages", "-l", "zh_Hans", "-l", "en", "--no-obsolete",
         "--no-location", "-i", ".venv", "-i", "var", "-i", "static", "-i", "scripts",
         "-i", "node_modules", "-i", "tests", "-i", "conftest.py", "-v", "0"],
        cwd=only or ROOT, check=True,
    )  # fmt: skip
    problems = []
    for po in catalogues(only):
        if "/en/" in str(po):
            subprocess.run(["msgen", "-o", str(po), str(po)], check=True)
        else:
            for flag, label in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
                out = subprocess.run(
                    ["msgattrib", flag, "--no-wrap", str(po)],
                    capture_output=True, text=True, check=True,
                ).stdout  # fmt: skip
                ids = [line for line in out.splitlines() if line.startswith("msgid ")][1:]
                problems += [f"{po.relative_to(ROOT)}: {label}: {msgid[6:]}" for msgid in ids]
        old = before.get(po)
        if old is not None and stable(old) == stable(po.read_text()):
            po.write_text(old)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} message(s) need a zh-hans translation.", file=sys.stderr)
        return 1
    print("Catalogues complete: zh-hans and en.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
