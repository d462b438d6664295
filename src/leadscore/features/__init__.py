"""Point-in-time features: behavioral (activity log) and firmographic (contact rows)."""
