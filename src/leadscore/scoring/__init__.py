"""The one scoring core (a batch of canonical rows → output rows) and the engines around it."""
