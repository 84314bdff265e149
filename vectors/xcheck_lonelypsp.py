"""Cross-check the stateful vectors against the Python reference, lonelypsp.

For every vector of feature "stateful":

* valid decode: lonelypsp parses the bytes to exactly the expected fields, and
  its serializer writes them back (byte-identical when the input is the
  canonical encoding of an encode vector, otherwise to bytes that parse to
  the same fields);
* valid encode: lonelypsp serializes the message to exactly the expected bytes;
* invalid: lonelypsp rejects (raises);
* implementation-defined: lonelypsp behaves as the `reference` outcome says.

lonelypsp is imported, never copied. Prints every disagreement; exits 1 if
there is any.

Usage: python xcheck_lonelypsp.py [vector files...]
"""

import dataclasses
import glob
import io
import json
import os
import sys

from lonelypsp.stateful import messages as _messages  # noqa: F401
from lonelypsp.stateful.constants import (
    BroadcasterToSubscriberStatefulMessageType as B2S_T,
    SubscriberToBroadcasterStatefulMessageType as S2B_T,
)
from lonelypsp.stateful.messages import (
    configure, confirm_configure, confirm_notify, confirm_receive, confirm_subscribe,
    confirm_unsubscribe, continue_notify, continue_receive, disable_zstd_custom,
    enable_zstd_custom, enable_zstd_preset, missed, notify, notify_stream, receive_stream,
    subscribe, unsubscribe,
)
from lonelypsp.stateful.parser import B2S_AnyMessageParser, S2B_AnyMessageParser
from lonelypsp.stateful.parser_helpers import parse_b2s_message_prefix, parse_s2b_message_prefix

HERE = os.path.dirname(os.path.abspath(__file__))

TEXT_FIELDS = {"authorization", "glob"}
BOOL_FIELDS = {"enable_zstd", "enable_training"}
INT_FIELDS = {"initial_dict", "part_id", "compressor_id", "compressed_length",
              "decompressed_length", "uncompressed_length", "subscribers", "num_subscribers",
              "compression_level", "min_size", "max_size"}
ZSTD = {"ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM"}

# (direction, type) -> (class chooser, serializer)
S = {
    ("s2b", "CONFIGURE"): (lambda m: configure.S2B_Configure, configure.serialize_s2b_configure),
    ("s2b", "SUBSCRIBE_EXACT"): (lambda m: subscribe.S2B_SubscribeExact,
                                 subscribe.serialize_s2b_subscribe_exact),
    ("s2b", "SUBSCRIBE_GLOB"): (lambda m: subscribe.S2B_SubscribeGlob,
                                subscribe.serialize_s2b_subscribe_glob),
    ("s2b", "UNSUBSCRIBE_EXACT"): (lambda m: unsubscribe.S2B_UnsubscribeExact,
                                   unsubscribe.serialize_s2b_unsubscribe_exact),
    ("s2b", "UNSUBSCRIBE_GLOB"): (lambda m: unsubscribe.S2B_UnsubscribeGlob,
                                  unsubscribe.serialize_s2b_unsubscribe_glob),
    ("s2b", "NOTIFY"): (lambda m: notify.S2B_NotifyUncompressed if m["compressor_id"] is None
                        else notify.S2B_NotifyCompressed, notify.serialize_s2b_notify),
    ("s2b", "NOTIFY_STREAM"): (
        lambda m: notify_stream.S2B_NotifyStreamContinuation if m["part_id"] is not None
        else notify_stream.S2B_NotifyStreamStartUncompressed if m["compressor_id"] is None
        else notify_stream.S2B_NotifyStreamStartCompressed,
        notify_stream.serialize_s2b_notify_stream),
    ("s2b", "CONTINUE_RECEIVE"): (lambda m: continue_receive.S2B_ContinueReceive,
                                  continue_receive.serialize_s2b_continue_receive),
    ("s2b", "CONFIRM_RECEIVE"): (lambda m: confirm_receive.S2B_ConfirmReceive,
                                 confirm_receive.serialize_s2b_confirm_receive),
    ("b2s", "CONFIRM_CONFIGURE"): (lambda m: confirm_configure.B2S_ConfirmConfigure,
                                   confirm_configure.serialize_b2s_confirm_configure),
    ("b2s", "CONFIRM_SUBSCRIBE_EXACT"): (lambda m: confirm_subscribe.B2S_ConfirmSubscribeExact,
                                         confirm_subscribe.serialize_b2s_confirm_subscribe_exact),
    ("b2s", "CONFIRM_SUBSCRIBE_GLOB"): (lambda m: confirm_subscribe.B2S_ConfirmSubscribeGlob,
                                        confirm_subscribe.serialize_b2s_confirm_subscribe_glob),
    ("b2s", "CONFIRM_UNSUBSCRIBE_EXACT"): (
        lambda m: confirm_unsubscribe.B2S_ConfirmUnsubscribeExact,
        confirm_unsubscribe.serialize_b2s_confirm_unsubscribe_exact),
    ("b2s", "CONFIRM_UNSUBSCRIBE_GLOB"): (
        lambda m: confirm_unsubscribe.B2S_ConfirmUnsubscribeGlob,
        confirm_unsubscribe.serialize_b2s_confirm_unsubscribe_glob),
    ("b2s", "CONFIRM_NOTIFY"): (lambda m: confirm_notify.B2S_ConfirmNotify,
                                confirm_notify.serialize_b2s_confirm_notify),
    ("b2s", "CONTINUE_NOTIFY"): (lambda m: continue_notify.B2S_ContinueNotify,
                                 continue_notify.serialize_b2s_continue_notify),
    ("b2s", "RECEIVE_STREAM"): (
        lambda m: receive_stream.B2S_ReceiveStreamContinuation if m["part_id"] is not None
        else receive_stream.B2S_ReceiveStreamStartUncompressed if m["compressor_id"] is None
        else receive_stream.B2S_ReceiveStreamStartCompressed,
        receive_stream.serialize_b2s_receive_stream),
    ("b2s", "ENABLE_ZSTD_PRESET"): (lambda m: enable_zstd_preset.B2S_EnableZstdPreset,
                                    enable_zstd_preset.serialize_b2s_enable_zstd_preset),
    ("b2s", "ENABLE_ZSTD_CUSTOM"): (lambda m: enable_zstd_custom.B2S_EnableZstdCustom,
                                    enable_zstd_custom.serialize_b2s_enable_zstd_custom),
    ("b2s", "DISABLE_ZSTD_CUSTOM"): (lambda m: disable_zstd_custom.B2S_DisableZstdCustom,
                                     disable_zstd_custom.serialize_b2s_disable_zstd_custom),
    ("b2s", "MISSED"): (lambda m: missed.B2S_Missed, missed.serialize_b2s_missed),
}


def ref_decode(direction, data):
    """lonelypsp's parse of `data`: a dataclass, or raises."""
    stream = io.BytesIO(data)
    if direction == "s2b":
        prefix = parse_s2b_message_prefix(stream)
        return S2B_AnyMessageParser.parse(prefix.flags, prefix.type, stream)
    prefix = parse_b2s_message_prefix(stream)
    return B2S_AnyMessageParser.parse(prefix.flags, prefix.type, stream)


def to_output(obj, data):
    """A lonelypsp dataclass in the vector output form (values normalized)."""
    out = {"type": obj.type.name, "flags": int.from_bytes(data[:2], "big")}
    for f in dataclasses.fields(obj):
        if f.name == "type":
            continue
        out[f.name] = getattr(obj, f.name)
    return norm(out)


def norm(d):
    """Normalize an output dict: bytes as hex, integers as int."""
    out = {}
    for k, v in d.items():
        if isinstance(v, (bytes, bytearray)):
            v = bytes(v).hex()
        elif isinstance(v, str) and (k in INT_FIELDS or k == "flags" or
                                     (k == "identifier" and d.get("type") in ZSTD)):
            v = int(v)
        out[k] = v
    return out


def from_message(direction, msg):
    """A vector `message` (encode input) as a lonelypsp dataclass."""
    t = msg["type"]
    chooser, ser = S[(direction, t)]
    cls = chooser(msg)
    enum = S2B_T if direction == "s2b" else B2S_T
    kw = {}
    for f in dataclasses.fields(cls):
        if f.name == "type":
            kw["type"] = enum[t]
            continue
        v = msg[f.name]
        if v is None or f.name in TEXT_FIELDS or f.name in BOOL_FIELDS:
            kw[f.name] = v
        elif f.name in INT_FIELDS or (f.name == "identifier" and t in ZSTD):
            kw[f.name] = int(v)
        else:
            kw[f.name] = bytes.fromhex(v)
    return cls(**kw), ser


def ref_encode(direction, msg, minimal):
    obj, ser = from_message(direction, msg)
    return bytes(ser(obj, minimal_headers=minimal))


def reserialize(direction, obj, minimal):
    t = obj.type.name
    _chooser, ser = S[(direction, t)]
    return bytes(ser(obj, minimal_headers=minimal))


def check_decode(v, canonical):
    d = v["input"]["direction"]
    data = bytes.fromhex(v["input"]["hex"])
    try:
        obj = ref_decode(d, data)
        got = ("accept", to_output(obj, data))
    except Exception as e:  # the reference signals every defect by raising
        obj = None
        got = ("reject", f"{type(e).__name__}: {e}")
    want = expected_outcome(v, lambda o: norm(o))
    problems = compare(got, want)
    if not problems and obj is not None and v["verdict"] == "valid":
        minimal = bool(data[1] & 1)
        try:
            again = reserialize(d, obj, minimal)
        except Exception as e:
            return [f"re-serialization raised {type(e).__name__}: {e}"]
        if data in canonical and again != data:
            problems.append(f"re-serialization differs: {again.hex()}")
        else:
            try:
                back = to_output(ref_decode(d, again), again)
            except Exception as e:
                return [f"re-serialized bytes do not parse: {type(e).__name__}: {e}"]
            back["flags"] = got[1]["flags"]
            if back != got[1]:
                problems.append("re-serialized bytes parse differently")
    return problems


def check_encode(v):
    inp = v["input"]
    try:
        got = ("accept", {"hex": ref_encode(inp["direction"], inp["message"],
                                            inp["minimal_headers"]).hex()})
    except Exception as e:
        got = ("reject", f"{type(e).__name__}: {e}")
    want = expected_outcome(v, lambda o: o)
    return compare(got, want)


def expected_outcome(v, conv):
    if v["verdict"] == "valid":
        return ("accept", conv(v["expected"]))
    if v["verdict"] == "invalid":
        return ("reject", None)
    ref = v["outcomes"]["reference"]
    if "accept" in ref:
        return ("accept", conv(ref["accept"]))
    return ("reject", None)


def compare(got, want):
    if got[0] != want[0]:
        if got[0] == "reject":
            return [f"lonelypsp rejects ({got[1]}), vector expects acceptance"]
        return [f"lonelypsp accepts ({short(got[1])}), vector expects rejection"]
    if got[0] == "accept" and got[1] != want[1]:
        diff = {k: (got[1].get(k), want[1].get(k)) for k in set(got[1]) | set(want[1])
                if got[1].get(k) != want[1].get(k)}
        return [f"output differs (lonelypsp, vector): {short(diff)}"]
    return []


def short(x, n=300):
    s = repr(x)
    return s if len(s) <= n else s[:n] + "..."


def main(argv):
    files = argv or sorted(glob.glob(os.path.join(HERE, "*.json")))
    vectors = []
    for path in files:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        if not isinstance(doc, dict) or "vectors" not in doc:
            continue
        vectors += [v for v in doc["vectors"] if v["feature"] == "stateful"
                    and not v.get("deprecated")]
    canonical = {bytes.fromhex(v["expected"]["hex"]) for v in vectors
                 if v["op"] == "encode" and v["verdict"] == "valid"}
    bad = 0
    counts = {}
    for v in vectors:
        problems = check_decode(v, canonical) if v["op"] == "decode" else check_encode(v)
        key = (v["op"], v["verdict"])
        counts[key] = counts.get(key, 0) + 1
        for p in problems:
            bad += 1
            print(f"DISAGREE {v['id']}: {p}")
    summary = ", ".join(f"{op}/{verdict} {n}" for (op, verdict), n in sorted(counts.items()))
    print(f"xcheck lonelypsp: {len(vectors)} stateful vectors ({summary}); "
          f"{bad} disagreement(s)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
