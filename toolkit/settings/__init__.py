"""Settings read from YAML: thresholds, the business calendar and the cause taxonomy."""
