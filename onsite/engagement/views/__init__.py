"""Pages of the engagement app, by sub-domain: the board (posts, digest, poster, big screen),
training and acknowledgements, slogans and proposals."""

from onsite.accounts.models import Role
from onsite.core.roles import ALL

EVERYONE = tuple(ALL | {Role.VIEWER})
MEMBERS = tuple(ALL)  # people of the center (not cross-center viewers) who take part
EDITORS = (Role.ADMIN, Role.OFFICE)
REVIEWERS = (Role.ADMIN, Role.LEADER, Role.OFFICE)
OVERSEERS = (
    Role.ADMIN,
    Role.LEADER,
    Role.OFFICE,
    Role.SUPERVISOR,
    Role.GROUP_LEADER,
    Role.VIEWER,
)
