"""Which authorization each stateful message carries (§10.3.4) and which
websocket URL counter it consumes (§6.2), as data.

``AUTH[(direction, type)] = (kind, counter, fields)``:

* ``kind``: the AuthMessageType the message is signed with;
* ``counter``: ``"S"`` (the subscriber counter: −1, −2, …), ``"B"`` (the
  broadcaster counter: 1, 2, …), ``"request"`` (the URL of the request it
  confirms, QK-29), or None (no URL);
* ``fields``: ``(to-sign field, message field)`` pairs; a message field None
  means the value comes from elsewhere (the stream's part 0, the request).
"""

from __future__ import annotations

from typing import Dict, Optional, Tuple

Fields = Tuple[Tuple[str, Optional[str]], ...]

_SUB_E = (("topic", "topic"),)
_SUB_G = (("glob", "glob"),)

AUTH: Dict[Tuple[str, str], Tuple[str, Optional[str], Fields]] = {
    ("s2b", "CONFIGURE"): ("STATEFUL_CONFIGURE", None, (
        ("subscriber_nonce", "subscriber_nonce"), ("enable_zstd", "enable_zstd"),
        ("enable_training", "enable_training"), ("initial_dict", "initial_dict"))),
    ("s2b", "SUBSCRIBE_EXACT"): ("SUBSCRIBE_EXACT", "S", _SUB_E),
    ("s2b", "UNSUBSCRIBE_EXACT"): ("SUBSCRIBE_EXACT", "S", _SUB_E),
    ("s2b", "SUBSCRIBE_GLOB"): ("SUBSCRIBE_GLOB", "S", _SUB_G),
    ("s2b", "UNSUBSCRIBE_GLOB"): ("SUBSCRIBE_GLOB", "S", _SUB_G),
    ("s2b", "NOTIFY"): ("NOTIFY", None, (("topic", "topic"), ("identifier", "identifier"),
                                         ("sha512", None))),
    ("s2b", "NOTIFY_STREAM"): ("NOTIFY", None, (("topic", None), ("identifier", None),
                                                ("sha512", None))),
    ("s2b", "CONTINUE_RECEIVE"): ("STATEFUL_CONTINUE_RECEIVE", "S", (
        ("identifier", "identifier"), ("part_id", "part_id"))),
    ("s2b", "CONFIRM_RECEIVE"): ("CONFIRM_RECEIVE", "S", (
        ("identifier", "identifier"), ("num_subscribers", "num_subscribers"))),
    ("b2s", "CONFIRM_CONFIGURE"): ("STATEFUL_CONFIRM_CONFIGURE", None, (
        ("broadcaster_nonce", "broadcaster_nonce"),)),
    ("b2s", "CONFIRM_SUBSCRIBE_EXACT"): ("CONFIRM_SUBSCRIBE_EXACT", "request", _SUB_E),
    ("b2s", "CONFIRM_UNSUBSCRIBE_EXACT"): ("CONFIRM_SUBSCRIBE_EXACT", "request", _SUB_E),
    ("b2s", "CONFIRM_SUBSCRIBE_GLOB"): ("CONFIRM_SUBSCRIBE_GLOB", "request", _SUB_G),
    ("b2s", "CONFIRM_UNSUBSCRIBE_GLOB"): ("CONFIRM_SUBSCRIBE_GLOB", "request", _SUB_G),
    ("b2s", "CONFIRM_NOTIFY"): ("CONFIRM_NOTIFY", None, (
        ("identifier", "identifier"), ("subscribers", "subscribers"), ("topic", None),
        ("sha512", None))),
    ("b2s", "CONTINUE_NOTIFY"): ("STATEFUL_CONTINUE_NOTIFY", None, (
        ("identifier", "identifier"), ("part_id", "part_id"))),
    ("b2s", "RECEIVE_STREAM"): ("RECEIVE", "B", (("topic", None), ("identifier", None),
                                                 ("sha512", None))),
    ("b2s", "MISSED"): ("MISSED", "B", (("topic", "topic"),)),
    ("b2s", "ENABLE_ZSTD_PRESET"): ("STATEFUL_ENABLE_ZSTD_PRESET", "B", (
        ("identifier", "identifier"), ("compression_level", "compression_level"),
        ("min_size", "min_size"), ("max_size", "max_size"))),
    ("b2s", "ENABLE_ZSTD_CUSTOM"): ("STATEFUL_ENABLE_ZSTD_CUSTOM", "B", (
        ("identifier", "identifier"), ("compression_level", "compression_level"),
        ("min_size", "min_size"), ("max_size", "max_size"), ("sha512", "sha512"))),
    ("b2s", "DISABLE_ZSTD_CUSTOM"): ("STATEFUL_DISABLE_ZSTD_CUSTOM", "B", (
        ("identifier", "identifier"),)),
}

# The URL argument's name in the to-sign layout: MISSED signs it as "recovery".
URL_KEY = {"MISSED": "recovery"}

# Messages whose to-sign layout has a recovery (always empty on the websocket).
HAS_RECOVERY = {"SUBSCRIBE_EXACT", "SUBSCRIBE_GLOB", "CONFIRM_SUBSCRIBE_EXACT", "CONFIRM_SUBSCRIBE_GLOB"}

# Broadcaster messages that may arrive at any time on a connection that
# enabled compression (§7); they are processed, not expected.
COMPRESSION_CONTROL = {"ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM"}

# Fields that carry bytes (hex in the codec's JSON): scenario files may give
# them as text.
BYTE_FIELDS = {"topic", "tracing", "identifier", "subscriber_nonce", "broadcaster_nonce",
               "payload", "dictionary", "sha512", "uncompressed_message", "compressed_message",
               "message", "etag",
               "verified_uncompressed_sha512", "verified_compressed_sha512",
               "unverified_uncompressed_sha512", "unverified_compressed_sha512"}

# Fields that are integers (the codec may write big ones as decimal strings).
INT_FIELDS = {"flags", "initial_dict", "compression_level", "min_size", "num_subscribers",
              "part_id", "compressor_id", "compressed_length", "decompressed_length",
              "uncompressed_length", "subscribers", "max_size", "etag_format"}


def other(direction: str) -> str:
    return "b2s" if direction == "s2b" else "s2b"
