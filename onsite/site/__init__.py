"""The site: what ties the domains into one product — navigation, home pages, the policy
table, the setup checklist, the to-do list and the demo/seed commands. It sits above every
domain app (see .importlinter); nothing imports it."""
