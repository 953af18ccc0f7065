"""Syntax trees to a book model: provisions, numbering, declarations, references."""
