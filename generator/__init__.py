"""Static websites with GPS maps for the kelurahan of a city, built from YAML and Markdown."""

__version__ = "0.1.0"
