"""The vocabulary every stage shares: units and quantities, types, unknown values, limits, files, caches."""
