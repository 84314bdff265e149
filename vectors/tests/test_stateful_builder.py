"""The stateful builder reproduces the specification's examples (§5) byte for
byte, and its model decoder reads them back. Expected bytes are the hex dumps
printed in the specification."""

import pytest

from lpsp_conformance.gen.stateful_cases import HI, NONCE_B, NONCE_S, notify_unc, preset, stream_cont, stream_unc
from lpsp_conformance.protocol import stateful_model as M
from lpsp_conformance.protocol.prim import Reject, sha512


def h(s):
    return bytes.fromhex(s.replace(" ", "").replace("\n", ""))


SUB = {"type": "SUBSCRIBE_EXACT", "authorization": None, "tracing": b"", "topic": b"foo/bar"}

EXAMPLES = [
    ("§5.1", "s2b", SUB, True, "00 01 00 02 00 00 00 00 00 07 66 6f 6f 2f 62 61 72"),
    ("§5.2", "s2b", SUB, False, """
00 00 00 02 00 03 00 0d 61 75 74 68 6f 72 69 7a
61 74 69 6f 6e 00 00 00 09 78 2d 74 72 61 63 69
6e 67 00 00 00 07 78 2d 74 6f 70 69 63 00 07 66
6f 6f 2f 62 61 72"""),
    ("§5.3", "s2b", {"type": "CONFIGURE", "subscriber_nonce": NONCE_S, "enable_zstd": True,
                     "enable_training": True, "initial_dict": 0, "authorization": None,
                     "tracing": b""}, True, """
00 01 00 01 00 20 00 01 02 03 04 05 06 07 08 09
0a 0b 0c 0d 0e 0f 10 11 12 13 14 15 16 17 18 19
1a 1b 1c 1d 1e 1f 00 01 01 00 01 01 00 02 00 00
00 00 00 00"""),
    ("§5.4", "s2b", notify_unc(HI), True, """
00 01 00 06 00 00 00 00 00 04 de ad be ef 00 07
66 6f 6f 2f 62 61 72 00 01 00 00 01 02 00 01 02
00 40 15 0a 14 ed 5b ea 6c c7 31 cf 86 c4 15 66
ac 42 7a 8d b4 8e f1 b9 fd 62 66 64 b3 bf bb 99
07 1f a4 c9 22 f3 3d de 38 71 9b 8c 83 54 e2 b7
ab 9d 77 e0 e6 7f c1 28 43 92 0a 71 2e 73 d5 58
e1 97 68 69"""),
    ("§5.5", "s2b", notify_unc(HI), False, """
00 00 00 06 00 08 00 0d 61 75 74 68 6f 72 69 7a
61 74 69 6f 6e 00 00 00 09 78 2d 74 72 61 63 69
6e 67 00 00 00 0c 78 2d 69 64 65 6e 74 69 66 69
65 72 00 04 de ad be ef 00 07 78 2d 74 6f 70 69
63 00 07 66 6f 6f 2f 62 61 72 00 0c 78 2d 63 6f
6d 70 72 65 73 73 6f 72 00 01 00 00 13 78 2d 63
6f 6d 70 72 65 73 73 65 64 2d 6c 65 6e 67 74 68
00 01 02 00 15 78 2d 64 65 63 6f 6d 70 72 65 73
73 65 64 2d 6c 65 6e 67 74 68 00 01 02 00 13 78
2d 63 6f 6d 70 72 65 73 73 65 64 2d 73 68 61 35
31 32 00 40 15 0a 14 ed 5b ea 6c c7 31 cf 86 c4
15 66 ac 42 7a 8d b4 8e f1 b9 fd 62 66 64 b3 bf
bb 99 07 1f a4 c9 22 f3 3d de 38 71 9b 8c 83 54
e2 b7 ab 9d 77 e0 e6 7f c1 28 43 92 0a 71 2e 73
d5 58 e1 97 68 69"""),
    ("§5.6", "s2b", notify_unc(b"", identifier=b"id", topic=b"t"), True, """
00 01 00 06 00 00 00 00 00 02 69 64 00 01 74 00
01 00 00 00 00 00 00 40 cf 83 e1 35 7e ef b8 bd
f1 54 28 50 d6 6d 80 07 d6 20 e4 05 0b 57 15 dc
83 f4 a9 21 d3 6c e9 ce 47 d0 d1 3c 5d 85 f2 b0
ff 83 18 d2 87 7e ec 2f 63 b9 31 bd 47 41 7a 81
a5 38 32 7a f9 27 da 3e"""),
    ("§5.7", "b2s", {"type": "CONFIRM_CONFIGURE", "broadcaster_nonce": NONCE_B,
                     "authorization": None, "tracing": b""}, True, """
00 01 00 01 00 20 20 21 22 23 24 25 26 27 28 29
2a 2b 2c 2d 2e 2f 30 31 32 33 34 35 36 37 38 39
3a 3b 3c 3d 3e 3f 00 00 00 00"""),
    ("§5.7", "b2s", {"type": "CONFIRM_NOTIFY", "identifier": b"\xde\xad\xbe\xef",
                     "subscribers": 3, "authorization": None, "tracing": b""}, True,
     "00 01 00 06 00 04 de ad be ef 00 01 03 00 00 00 00"),
    ("§5.7", "s2b", {"type": "CONFIRM_RECEIVE", "identifier": b"\x01\x02\x03\x04",
                     "authorization": None, "tracing": b"", "num_subscribers": 1}, True,
     "00 01 00 09 00 04 01 02 03 04 00 00 00 00 00 04 00 00 00 01"),
    ("§5.7", "b2s", stream_unc("RECEIVE_STREAM", HI, b"h"), True, """
00 01 00 08 00 00 00 00 00 04 01 02 03 04 00 01
00 00 07 66 6f 6f 2f 62 61 72 00 01 00 00 01 02
00 01 02 00 40 15 0a 14 ed 5b ea 6c c7 31 cf 86
c4 15 66 ac 42 7a 8d b4 8e f1 b9 fd 62 66 64 b3
bf bb 99 07 1f a4 c9 22 f3 3d de 38 71 9b 8c 83
54 e2 b7 ab 9d 77 e0 e6 7f c1 28 43 92 0a 71 2e
73 d5 58 e1 97 68"""),
    ("§5.7", "b2s", stream_cont("RECEIVE_STREAM", 1, b"i"), True,
     "00 01 00 08 00 00 00 00 00 04 01 02 03 04 00 01 01 69"),
    ("§5.7", "b2s", preset(1, 3, 16384, (1 << 64) - 1), True, """
00 01 00 09 00 01 01 00 02 00 03 00 02 40 00 00
08 ff ff ff ff ff ff ff ff 00 00 00 00"""),
]


@pytest.mark.parametrize("section,direction,msg,minimal,hexdump", EXAMPLES)
def test_spec_example_encodes(section, direction, msg, minimal, hexdump):
    assert M.encode_reference(direction, msg, minimal) == h(hexdump)
    assert M.encode_strict(direction, msg, minimal) == h(hexdump)


@pytest.mark.parametrize("section,direction,msg,minimal,hexdump", EXAMPLES)
def test_spec_example_decodes(section, direction, msg, minimal, hexdump):
    for strict in (False, True):
        out = M.decode(direction, h(hexdump), strict=strict)
        assert out.pop("flags") == (1 if minimal else 0)
        assert out == msg


def test_sha512_of_hi_matches_spec():
    assert sha512(b"hi") == h("150a14ed5bea6cc731cf86c41566ac427a8db48ef1b9fd626664b3bfbb99071f"
                              "a4c922f33dde38719b8c8354e2b7ab9d77e0e67fc12843920a712e73d558e197")


def test_readme_bytes_rejected_qk01():
    with pytest.raises(Reject) as e:
        M.decode("s2b", h("00 01 00 02 00 00 00 07 66 6f 6f 2f 62 61 72"))
    assert e.value.cls == "truncated"


def test_minimal_unsigned_examples():
    from lpsp_conformance.protocol.prim import mu
    assert [mu(0), mu(1), mu(255), mu(256), mu((1 << 64) - 1)] == [
        b"", b"\x01", b"\xff", b"\x01\x00", b"\xff" * 8]


@pytest.mark.parametrize("raw,value", [("", 0), ("ff", -1), ("00ff", 255), ("ffff", -1),
                                       ("7fff", 32767)])
def test_s16_table(raw, value):
    base = M.to_frame("b2s", preset(1, 3, 0, 0), True)
    out = M.decode("b2s", base.with_value("x-compression-level", h(raw)).to_bytes())
    assert out["compression_level"] == value


def test_expanded_rules():
    f = M.to_frame("s2b", SUB, False)
    renamed = f.copy(headers=[(b"X-TOPIC" if n == b"x-topic" else n, v) for n, v in f.headers]
                     + [(b"x-topic", b"last")])
    assert M.decode("s2b", renamed.to_bytes())["topic"] == b"last"
    with pytest.raises(Reject) as e:
        M.decode("s2b", f.copy(headers=f.headers[:2]).to_bytes())
    assert e.value.cls == "missing_header"
    with pytest.raises(Reject) as e:
        M.decode("s2b", f.copy(headers=f.headers + [(b"\xc3\xa9", b"")]).to_bytes())
    assert e.value.cls == "bad_header_name"


def test_strict_and_reference_personalities_differ_where_quirks_say():
    garbage = M.encode_reference("s2b", SUB, True) + b"garbage"
    assert M.decode("s2b", garbage)["topic"] == b"foo/bar"  # QK-11
    with pytest.raises(Reject) as e:
        M.decode("s2b", garbage, strict=True)
    assert e.value.cls == "trailing_bytes"
    flags = b"\xff\xff" + M.encode_reference("s2b", SUB, True)[2:]
    assert M.decode("s2b", flags)["flags"] == 0xFFFF  # QK-21
    with pytest.raises(Reject):
        M.decode("s2b", flags, strict=True)
