"""A pyftpdlib server for the publish tests: PORT HOME USER PASSWORD PERM [CERT KEY].

With CERT and KEY it requires explicit TLS (AUTH TLS) on control and data connections.
Passive ports come from the system; it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import logging
import sys

from pyftpdlib.authorizers import DummyAuthorizer
from pyftpdlib.handlers import FTPHandler, TLS_FTPHandler
from pyftpdlib.servers import ThreadedFTPServer


def main(argv: list[str]) -> None:
    port, home, user, password, perm = argv[:5]
    authorizer = DummyAuthorizer()
    authorizer.add_user(user, password, home, perm=perm)
    handler: type[FTPHandler] = FTPHandler
    if len(argv) > 5:
        handler = TLS_FTPHandler
        handler.certfile, handler.keyfile = argv[5], argv[6]
        handler.tls_control_required = True
        handler.tls_data_required = True
    handler.authorizer = authorizer
    handler.banner = "uji siap"
    logging.basicConfig(level=logging.ERROR)
    server = ThreadedFTPServer(("127.0.0.1", int(port)), handler)
    server.max_cons = 64
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
