"""Photos: every image staff publish is checked, resized, re-encoded and cached; every page gets a share card.

Open ``plan.py`` first: the pure part (settings, variant names, ``<picture>`` markup, the
first-screen weight of a page). ``pixels.py`` does the Pillow work for one photo (check,
orientation, variants, photo share card), ``cards.py`` draws the generated share cards, and
``cache.py`` keeps the results in ``.kelurahan/cache/gambar/`` keyed by the image's bytes and
the settings, so rebuilds, ``--clean`` and other kelurahan reuse them.
"""
