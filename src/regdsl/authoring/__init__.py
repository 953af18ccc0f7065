"""The policy author's tools: fmt, render, highlight, test, diff, show, init."""
