"""Analyse a loaded period: leaks and their populations, leak groups, the cost of a leak."""
