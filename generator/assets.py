"""Static files every site needs: Leaflet from installed packages, and the site's own CSS/JS."""

from __future__ import annotations

from pathlib import Path

import xstatic.pkg.leaflet as leaflet
import xstatic.pkg.leaflet_markercluster as markercluster

OWN_ASSETS = Path(__file__).parent / "assets"
LEAFLET_FILES = ("leaflet.js", "leaflet.css", "images/layers.png", "images/layers-2x.png",
                 "images/marker-icon.png", "images/marker-icon-2x.png", "images/marker-shadow.png")
CLUSTER_FILES = ("leaflet.markercluster.js", "MarkerCluster.css", "MarkerCluster.Default.css")


def site_assets() -> list[tuple[str, Path]]:
    """(output path, source file) of every static asset, in a stable order."""
    files = [(f"assets/leaflet/{name}", Path(leaflet.BASE_DIR) / name) for name in LEAFLET_FILES]
    files += [(f"assets/leaflet-markercluster/{name}", Path(markercluster.BASE_DIR) / name)
              for name in CLUSTER_FILES]
    files += [(f"assets/{p.name}", p) for p in sorted(OWN_ASSETS.iterdir()) if p.is_file()]
    return files
