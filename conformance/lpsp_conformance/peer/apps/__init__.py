"""Small applications on the real peers (lonelypss, lonelypsc) that the suite
starts on 127.0.0.1 to check them; they use those packages as libraries."""

import os
from typing import Any


def auth_config(mode: str, replay_store: tuple) -> Any:
    """lonelypsp's authorization for `mode` with the secrets of the environment
    (LPSP_PEER_TO_BROADCASTER, LPSP_PEER_TO_SUBSCRIBER). `replay_store` says, for
    (to_broadcaster, to_subscriber), whether incoming HMAC codes are remembered
    (an in-memory SQLite replay store, §10.4.2) or not."""
    from lonelypsp.auth.config import AuthConfigFromParts
    from lonelypsp.auth.helpers import hmac_auth_config as hm
    from lonelypsp.auth.helpers import none_auth_config as no
    from lonelypsp.auth.helpers import token_auth_config as tk

    tb = os.environ.get("LPSP_PEER_TO_BROADCASTER", "")
    ts = os.environ.get("LPSP_PEER_TO_SUBSCRIBER", "")
    if mode == "none":
        return AuthConfigFromParts(to_broadcaster=no.ToBroadcasterNoneAuth(),
                                   to_subscriber=no.ToSubscriberNoneAuth())
    if mode == "token":
        return AuthConfigFromParts(to_broadcaster=tk.ToBroadcasterTokenAuth(token=tb),
                                   to_subscriber=tk.ToSubscriberTokenAuth(token=ts))

    def store(on: bool) -> Any:
        return hm.IncomingHmacAuthSqliteDBConfig(":memory:", token_lifetime=180) if on \
            else hm.IncomingHmacAuthNoneDBConfig()
    return AuthConfigFromParts(
        to_broadcaster=hm.ToBroadcasterHmacAuth(secret=tb, token_lifetime=120, db_config=store(replay_store[0])),
        to_subscriber=hm.ToSubscriberHmacAuth(secret=ts, token_lifetime=120, db_config=store(replay_store[1])))
