"""The one `requests.Session` shared by all service clients."""

from __future__ import annotations

import requests
from requests.adapters import HTTPAdapter


def build_session(pool_connections: int = 10, pool_maxsize: int = 20) -> requests.Session:
    """Return a session with pooled keep-alive connections and no transport-level retries.

    `pool_connections` is how many hosts keep a pool, `pool_maxsize` how many
    connections each pool keeps (size it to the number of concurrent callers).
    urllib3's own retries are off (`max_retries=0`): the clients retry
    themselves, knowing which calls are idempotent. Proxy and netrc settings
    from the environment are ignored (`trust_env=False`) so that a stray
    ~/.netrc can never replace the bearer token.
    """
    session = requests.Session()
    session.trust_env = False
    adapter = HTTPAdapter(
        pool_connections=pool_connections, pool_maxsize=pool_maxsize, max_retries=0
    )
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session
