"""Publishing: copy the last build to the shared web host, incrementally and never half-updated.

Open ``plan.py`` first: it is the pure core (the build's manifest and the target's manifest in,
ordered steps out). ``runner.py`` runs a plan against one of the transports behind the small
protocol of ``transport.py``: ``local.py`` (a folder), ``sftp.py`` (asyncssh), ``ftp.py``
(ftplib, FTP and explicit FTPS). ``lock.py`` keeps it to one publish per target at a time;
``snapshots.py`` keeps hard-linked local copies for rollback.
The one entry point for the CLI and the editor is ``publish(PublishOptions, progress)``.
"""

from .plan import Action, Plan, Tampering
from .runner import PublishOptions, PublishReport, publish, tamper_lines
from .transport import PublishError

__all__ = ["Action", "Plan", "PublishError", "PublishOptions", "PublishReport", "Tampering", "publish",
           "tamper_lines"]
