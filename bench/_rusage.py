"""Run the ``kelurahan`` CLI in this process and report peak memory of it and its pool.

    python3 bench/_rusage.py REPORT.json -- --site S build --clean --output O

This is exactly what the ``kelurahan`` console script does (``generator.cli:main``), plus one
``getrusage`` call at the end, written as JSON to REPORT.json:

* ``self_maxrss_kb``: ``getrusage(RUSAGE_SELF).ru_maxrss``, the peak RSS of the main
  process (the one that reads the manifest, schedules work and renders the portal);
* ``children_maxrss_kb``: ``getrusage(RUSAGE_CHILDREN).ru_maxrss``, the peak RSS of the
  largest *single* process-pool worker (Linux reports the maximum over waited-for children,
  not their sum; forked workers count the pages they share with the parent as resident);
* ``exit_code``.

``--exec`` runs an arbitrary command as a child instead (used when GNU time is missing):
``children_maxrss_kb`` is then the peak RSS of that command's largest process.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys


def _report(path: str, code: int) -> None:
    usage_self = resource.getrusage(resource.RUSAGE_SELF)
    usage_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(path, "w", encoding="utf-8") as handle:
        json.dump(
            {
                "exit_code": code,
                "self_maxrss_kb": usage_self.ru_maxrss,
                "children_maxrss_kb": usage_children.ru_maxrss,
            },
            handle,
        )


def main() -> int:
    args = sys.argv[1:]
    if len(args) < 2 or "--" not in args:
        print(__doc__, file=sys.stderr)
        return 2
    split = args.index("--")
    options, command = args[:split], args[split + 1 :]
    report = options[0]
    if "--exec" in options:
        code = subprocess.run(command, check=False).returncode
        _report(report, code)
        return code
    from generator.cli import main as cli

    sys.argv = ["kelurahan", *command]
    try:
        cli()
        code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    _report(report, code)
    return code


if __name__ == "__main__":
    sys.exit(main())
