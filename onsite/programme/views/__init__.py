"""Pages of the programme: `plan` (programme, waves, phases, gates), `rounds` (acceptance
rounds and rating), `rankings` (rankings, cards, interviews)."""
