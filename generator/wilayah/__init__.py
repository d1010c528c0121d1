"""Indonesia's national list of regions (Kemendagri codes) and what uses it.

``kelurahan init`` makes a site for any kota or kabupaten from the list, ``check`` compares
each ``kode_wilayah`` with it, ``new`` fills code, postal code and location from it, and the
pages name desa and kelurahan, kabupaten and kota by their codes. Open ``daftar.py`` first:
it reads the packaged list (``generator/data/wilayah-indonesia.tsv.gz``) lazily, only the rows
that are needed. ``istilah.py`` holds the region words (pure), ``rencana.py`` plans a new site
(pure), ``buat.py`` writes it, ``kode.py`` checks the codes of a site.
"""
