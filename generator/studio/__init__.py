"""``kelurahan studio``: a small web editor over the site's plain files, for kelurahan staff on a phone.

Open ``app.py`` first: it assembles the Starlette application from the middleware in
``security.py`` (Host allowlist, body limit, security headers, CSRF + Origin, the session's actor)
and the views in ``views/`` (one module per area, one permission check per view).

The pure core has no IO: ``schema.py`` turns the content contract (``sections.py`` and
``fields.py``, the same definitions ``check`` uses) into form fields and form data into YAML values,
``yamledit.py`` applies changed values to a file's text keeping everything else byte for byte,
``permissions.py`` says who may do what. The IO sits at the edges: ``store.py`` (SQLite: accounts,
sessions, login throttling, audit log), ``files.py`` (paths resolved and confined, atomic writes,
conflicts, the bin), ``checks.py`` (the same checks as ``kelurahan check`` on a candidate file),
``photos.py`` (decode, orient, strip, re-encode uploads), ``publishing.py`` (changes since the last
publish, and the publish action) and ``server.py`` (uvicorn).
"""
