"""Administration: staff accounts and the directory of units."""
