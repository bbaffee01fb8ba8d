"""Benchmarks of the monthly pipeline against a floor (docs/DESIGN.md, "Performance").

``benchmarks.generate`` writes seeded raw exports in the shipped ``sample`` recipe's format;
``benchmarks.run`` measures load, leaks, groups and store write against reading the same files with
``pyarrow.csv.read_csv``, each measurement in a fresh process. See ``benchmarks/README.md``.
"""
