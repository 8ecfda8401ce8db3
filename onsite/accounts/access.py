"""Who administers accounts (三权分立): the role sets the pages declare and the checks of
`onsite.accounts.actions` use, so a page and its check can never disagree."""

from __future__ import annotations

from onsite.core.roles import Role

# The account pages: the system admin (accounts) and the security admin (grants, duties).
ACCOUNT_ADMINS: tuple[str, ...] = (Role.SYSADMIN, Role.SECADMIN)
# Who makes accounts and gives temporary passwords in bulk.
CREATORS: tuple[str, ...] = (Role.SYSADMIN,)
# Who grants and revokes roles, and removes another person's authenticator.
GRANTORS: tuple[str, ...] = (Role.SECADMIN,)
