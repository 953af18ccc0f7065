"""Evaluators of the IR: per student (engine.py) with the runtime operators they share."""
