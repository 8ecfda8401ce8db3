"""Fills zh-hans translations from a JSON table {msgid: msgstr} (plural: {msgid: [one, other]}).

    python scripts/translate.py table.json      # fills every catalogue where the msgid appears
    python scripts/translate.py --missing       # prints the msgids still untranslated, as JSON

Only empty or fuzzy entries are filled; existing translations are kept."""

import json
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues() -> list[Path]:
    return sorted(ROOT.glob("config/locale/zh_Hans/LC_MESSAGES/django.po")) + sorted(
        ROOT.glob("onsite/*/locale/zh_Hans/LC_MESSAGES/django.po")
    )


def missing() -> dict[str, str]:
    todo: dict[str, str] = {}
    for path in catalogues():
        for entry in polib.pofile(str(path)):
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                if "fuzzy" in entry.flags or not all(entry.msgstr_plural.values()):
                    todo[entry.msgid] = entry.msgid_plural
            elif not entry.msgstr or "fuzzy" in entry.flags:
                todo[entry.msgid] = ""
    return todo


def fill(table: dict[str, object]) -> int:
    filled = 0
    for path in catalogues():
        po = polib.pofile(str(path))
        changed = False
        for entry in po:
            value = table.get(entry.msgid)
            if value is None:
                continue
            empty = (
                not entry.msgstr
                if not entry.msgid_plural
                else not all(entry.msgstr_plural.values())
            )
            if not empty and "fuzzy" not in entry.flags:
                continue
            if entry.msgid_plural:
                forms = value if isinstance(value, list) else [value]
                entry.msgstr_plural = {0: str(forms[0])}
            else:
                entry.msgstr = str(value)
            if "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            # polib writes a lone "#| msgctxt" or "#| msgid_plural" that msgfmt refuses.
            entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
            entry.previous_msgctxt = None
            changed = True
            filled += 1
        if changed:
            po.save()
    return filled


if __name__ == "__main__":
    if sys.argv[1:] == ["--missing"]:
        print(json.dumps(missing(), ensure_ascii=False, indent=1))
    else:
        table = json.loads(Path(sys.argv[1]).read_text())
        print(f"filled {fill(table)} entries")
