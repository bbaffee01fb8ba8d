"""Process Retro: find where the month's processes leaked, classify each leak to a process cause, report.

The packages follow the data, one stage each, and import only the stages before them::

    ingest/    raw exports + a recipe  -> Dataset (contract frames, data quality)
    analyse/   Dataset                 -> leak records, leak groups, cost (a PeriodRun)
    store/     PeriodRun               -> the retro store (metrics, labels, fixes)
    history/   the store               -> trends, persistent challenges, fix verdicts
    present/   all of the above        -> words, charts, the widget, retro check, the report

``pipeline`` runs one period through ingest, analyse and store and writes its files; ``runner``
executes the notebooks around it; ``cli`` is the ``retro`` command. Beneath every stage:
``errors``, ``frames`` (the frames passed between stages), ``periods``, ``figures`` (how numbers
are written), ``settings`` and ``csvsafe``. ``sample`` generates the bundled sample exports.
"""
