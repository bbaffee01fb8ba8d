"""The packages setuptools puts in the wheel; everything else about the project is in pyproject.toml.

Every package under toolkit/, found on disk so a new one needs no edit here, plus toolkit.notebooks:
the top-level notebooks/ folder, mapped into the package by ``package-dir`` in pyproject.toml.
pyproject.toml alone cannot say this: its ``find`` cannot be combined with a package it does not
find.
"""

from setuptools import find_packages, setup

setup(packages=[*find_packages(include=["toolkit", "toolkit.*"]), "toolkit.notebooks"])
