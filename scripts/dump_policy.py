"""Prints the access each page declares through its decorators, as entries for
onsite/core/policy.py. Use it to draft an entry for a new page, then review it by hand:
the policy is the declared intent that the authorization matrix test holds the code to."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from onsite.accounts.models import Role  # noqa: E402
from onsite.core.policy import walk_urls  # noqa: E402

ALL = frozenset(Role.values)
for route, name, callback in walk_urls():
    roles = getattr(callback, "allowed_roles", None)
    write = getattr(callback, "write_only", False)
    if roles is None:
        print(f'    "{name}": SIGNED_IN,  # {route} — check: login_required or public?')
        continue
    if roles == ALL:
        spec = "EVERY_ROLE"
    else:
        order = [role.value for role in Role]
        spec = "roles(" + ", ".join(f'"{r}"' for r in sorted(roles, key=order.index)) + ")"
    print(f'    "{name}": {"write" if write else "read"}({spec}),  # {route}' if spec != "EVERY_ROLE"
          else f'    "{name}": {"write" if write else "read"}(EVERY_ROLE),  # {route}')  # fmt: skip
