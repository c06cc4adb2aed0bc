"""Quote requests and quotes: a patient asks providers for a treatment proposal and accepts one.

Models live in `quotes.models`; `services` writes, `selectors` reads, `views`, `api` and
`tasks` call them.
"""
