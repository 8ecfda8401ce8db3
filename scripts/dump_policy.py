"""Prints who may open each page, as the pages declare it on their views (role_required,
signed_in, public) and onsite/site/policy.py reads it back: a review of the whole matrix at
a glance. A page that declares nothing is marked."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from onsite.core.roles import Role  # noqa: E402
from onsite.site.policy import policy, walk_urls  # noqa: E402

ORDER = [role.value for role in Role]
table = policy()
for route, name, _view in walk_urls():
    access = table.get(name)
    if access is None:
        spec = "UNDECLARED"
    elif access.public:
        spec = "public"
    elif access.roles is None:
        spec = "signed in"
    else:
        spec = ", ".join(sorted(access.roles, key=ORDER.index))
        spec = ("write: " if access.write else "read: ") + spec + (" (own)" if access.own else "")
    print(f"{name:<44} {spec}  # /{route}")
