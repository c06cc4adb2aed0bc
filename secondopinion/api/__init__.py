"""Second-opinion API, by who uses it."""
