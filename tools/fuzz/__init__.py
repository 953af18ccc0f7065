"""`python -m tools.fuzz`: the long fuzzing run (see tests/fuzzing.py and docs/reliability.md)."""
