"""``python -m toolkit.sample --out data/sample``: write the sample exports."""

from toolkit.sample.generate import main

main()
