"""Authorization of peer traffic (§10): none, token (Bearer) or HMAC, per direction.

Each peer configuration has two independent sides: *to_broadcaster* signs
what a subscriber sends, *to_subscriber* what a broadcaster sends. The
harness signs and verifies with the project's codec (``hmac_sign``,
``hmac_verify``, ``bearer_check``); this module only decides which kind and
which fields (§10.3.4) and produces the deliberately bad variants that the
authorization scenarios send (missing, wrong, expired, replayed).
"""

from __future__ import annotations

import base64
import json
import os
import time
from dataclasses import dataclass
from typing import Any, Dict, List, Optional, Set, Tuple

from .codec import Codec

MODES = ("none", "token", "hmac")
SIDES = ("to_broadcaster", "to_subscriber")
# what a scenario may ask for instead of a correct authorization
VARIANTS = ("auto", "missing", "wrong", "expired", "replay", "garbage", "stale-url")
HMAC_LIFETIME = 120  # seconds a verifier accepts (the reference's default order of magnitude)


# Options whose value is a secret: an HMAC secret is URL-safe base64 and may
# begin with "-", which pytest and argparse would read as an option when it
# is given as a word of its own.
SECRET_OPTIONS = ("--to-broadcaster", "--to-subscriber")


def join_secret_options(argv: List[str]) -> List[str]:
    """argv with every ``--to-broadcaster VALUE`` (and ``--to-subscriber``)
    given as one word, ``--to-broadcaster=VALUE``, whatever VALUE begins with."""
    out: List[str] = []
    i = 0
    while i < len(argv):
        if argv[i] in SECRET_OPTIONS and i + 1 < len(argv):
            out.append(f"{argv[i]}={argv[i + 1]}")
            i += 2
        else:
            out.append(argv[i])
            i += 1
    return out


def new_secret() -> str:
    """A fresh HMAC secret as the reference setup makes them (64 bytes, URL-safe base64)."""
    return base64.urlsafe_b64encode(os.urandom(64)).decode().rstrip("=")


@dataclass
class AuthConfig:
    """One authorization mode with the secrets (or tokens) of both directions."""

    mode: str = "none"
    to_broadcaster: str = ""
    to_subscriber: str = ""

    @classmethod
    def generate(cls, mode: str) -> "AuthConfig":
        if mode not in MODES:
            raise ValueError(f"authorization mode must be one of {', '.join(MODES)}, not {mode!r}")
        if mode == "none":
            return cls("none")
        if mode == "token":
            return cls("token", "tb-" + os.urandom(12).hex(), "ts-" + os.urandom(12).hex())
        return cls("hmac", new_secret(), new_secret())

    def secret(self, side: str) -> str:
        return self.to_broadcaster if side == "to_broadcaster" else self.to_subscriber


class Authorizer:
    """Signs and verifies one direction's messages for one configuration."""

    def __init__(self, codec: Codec, config: AuthConfig):
        self.codec = codec
        self.config = config
        # the last good authorization of each to-sign input: a replay re-sends it for
        # exactly the same input, so only a replay store can tell the difference
        self.last: Dict[Tuple[str, str, str], str] = {}
        self.seen: Set[Optional[str]] = set()  # HMAC authorizations verified so far

    def sign(self, side: str, kind: str, tracing: bytes, fields: Dict[str, Any],
             variant: str = "auto") -> Optional[str]:
        """The authorization text for a message of `kind`, or None for no authorization."""
        mode = self.config.mode
        if variant == "missing":
            return None
        if variant == "garbage":
            return "X-HMAC not-a-token" if mode == "hmac" else "Bearer"
        key = (side, kind, tracing.hex() + json.dumps(fields, sort_keys=True))
        if variant == "replay":
            prev = self.last.get(key)
            if prev is None:
                raise ValueError(f"no earlier {kind} with the same fields to replay")
            return prev
        if mode == "none":
            return None
        secret = self.config.secret(side)
        if mode == "token":
            if variant == "wrong":
                return "Bearer " + secret + "x"
            if variant == "expired":
                raise ValueError("a token cannot expire")
            auth = "Bearer " + secret
        else:
            if variant == "wrong":
                secret = new_secret()
            now = int(time.time()) - (3600 if variant == "expired" else 0)
            nonce = base64.urlsafe_b64encode(os.urandom(4)).decode().rstrip("=")
            auth = self.codec.hmac_sign({"kind": kind, "timestamp": str(now), "nonce": nonce,
                                         "tracing": tracing.hex(), "secret": secret, **fields})
        if variant == "auto":
            self.last[key] = auth
        return auth

    def verify(self, side: str, kind: str, tracing: bytes, fields: Dict[str, Any],
               authorization: Optional[str]) -> str:
        """'OK', 'unauthorized' or 'forbidden' (§10)."""
        mode = self.config.mode
        if mode == "none":
            return "OK"
        if mode == "token":
            return self.codec.bearer_check(self.config.secret(side), authorization)
        res = self.codec.hmac_verify({"kind": kind,
                                      "tracing": tracing.hex(), "secret": self.config.secret(side),
                                      "authorization": authorization, "now": str(int(time.time())),
                                      "lifetime": HMAC_LIFETIME, **fields})
        if res == "OK":  # the harness's replay store (§10.4.2 step 3): a code is good once
            if authorization in self.seen:
                return "forbidden (a replayed HMAC code)"
            self.seen.add(authorization)
        return res
