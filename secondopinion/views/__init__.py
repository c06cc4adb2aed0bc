"""Second-opinion pages, by who uses them."""
