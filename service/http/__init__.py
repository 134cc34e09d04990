"""HTTP plumbing shared by every route: problems, argument parsing (and caching, later)."""
