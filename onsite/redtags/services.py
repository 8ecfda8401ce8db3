"""Former home of the red-tag writes, now `onsite.redtags.actions` (and the role sets,
`onsite.redtags.access`). These names stay only while the site app still imports them from
here (`onsite/site/queries.py`, `onsite/site/tests/test_to_do.py`); remove the module once
those import from actions/access."""

from onsite.redtags.access import DECIDER_ROLES as DECIDER_ROLES
from onsite.redtags.actions import do_tag as tag_item

__all__ = ["DECIDER_ROLES", "tag_item"]
