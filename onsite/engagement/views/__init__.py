"""Pages of the engagement app, by sub-domain: the board (posts, digest, poster, big screen),
training and acknowledgements, slogans and proposals. Each write page is an adapter over
`onsite.engagement.actions`; the role sets live in `onsite.engagement.access`; a refusal is
shown on a form page by `onsite.surveys.pages`."""
