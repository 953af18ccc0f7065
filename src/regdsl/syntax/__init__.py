"""Text to syntax trees: grammar, post-lexer, parser, AST nodes, the parse cache."""
