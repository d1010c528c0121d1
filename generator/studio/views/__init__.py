"""The studio's views, one module per area; ``common.py`` holds what they share."""
