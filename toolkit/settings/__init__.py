"""Settings read from YAML (thresholds, business calendar, cause taxonomy) and the framework that reads them.

The framework, shared with the mapping recipes (:mod:`toolkit.ingest.recipe`):

- ``yamlfile``: safe YAML reading that keeps the line of each key, each caller wording its problems;
- ``layers``: layers (defaults, a user file, the files it extends, overrides) merged, and which set a key;
- ``keys``: unknown keys and "did you mean";
- ``values``: durations, times of day, dates, moments, numbers and lists.

The config on top of it: ``config_layers`` (the defaults, a user file and overrides, checked),
``business_calendar`` (working days and hours), ``config`` (:class:`~toolkit.settings.config.Config`
and :func:`~toolkit.settings.config.load_config`). ``defaults.yaml`` holds every setting with a comment.
"""
