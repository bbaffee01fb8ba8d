"""The bundled sample: a seeded generator of twelve monthly exports and the planted stories it holds."""
