"""Stateless bodies (§8.5), strong etag (§9.3), HMAC (§10.5), lenient base64
(§10.4.4) and session (§6.1, §6.2) builders against the specification's
examples. Expected values are copied from the specification."""

import base64
import binascii
import random

import pytest

from lpsp_conformance.gen import auth_cases as A
from lpsp_conformance.gen import etag_cases as E
from lpsp_conformance.gen import session_cases as S
from lpsp_conformance.gen import stateless_cases as SL
from lpsp_conformance.protocol import auth_model as AM
from lpsp_conformance.protocol import etag_model as EM
from lpsp_conformance.protocol import session_model as SM
from lpsp_conformance.protocol import stateless_model as SLM
from lpsp_conformance.protocol.prim import Reject, sha512


def h(s):
    return bytes.fromhex(s.replace(" ", "").replace("\n", ""))


URL, REC = SL.URL, SL.RECOVERY
SL_EXAMPLES = [
    ({"body": "NOTIFY", "topic": b"foo/bar", "sha512": sha512(b"hi"), "tracing": b"",
      "identifier": h("deadbeef"), "message": b"hi"}, """
00 07 66 6f 6f 2f 62 61 72 15 0a 14 ed 5b ea 6c
c7 31 cf 86 c4 15 66 ac 42 7a 8d b4 8e f1 b9 fd
62 66 64 b3 bf bb 99 07 1f a4 c9 22 f3 3d de 38
71 9b 8c 83 54 e2 b7 ab 9d 77 e0 e6 7f c1 28 43
92 0a 71 2e 73 d5 58 e1 97 00 00 04 de ad be ef
00 00 00 00 00 00 00 02 68 69"""),
    ({"body": "RESPONSE_NOTIFY", "authorization": None, "tracing": b"", "subscribers": 3,
      "identifier": h("deadbeef")}, "00 04 00 00 00 00 00 00 00 03 04 de ad be ef"),
    ({"body": "SUBSCRIBE_EXACT", "url": URL, "topic": b"foo/bar", "recovery": REC,
      "tracing": b""}, """
00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30 2e 30
2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63 65 69
76 65 00 07 66 6f 6f 2f 62 61 72 00 20 68 74 74
70 3a 2f 2f 31 32 37 2e 30 2e 30 2e 31 3a 33 30
30 32 2f 76 31 2f 72 65 63 6f 76 65 72 00 00"""),
    ({"body": "RESPONSE_GENERIC", "authorization": None, "tracing": b""}, "00 03 00 00 00 00"),
    ({"body": "RECEIVE", "tracing": b"", "topic": b"foo/bar", "identifier": bytes(range(8)),
      "message": b"hi"}, """
00 00 00 07 66 6f 6f 2f 62 61 72 08 00 01 02 03
04 05 06 07 00 00 00 00 00 00 00 02 68 69"""),
    ({"body": "RESPONSE_CONFIRM_RECEIVE", "authorization": None, "tracing": b"",
      "identifier": bytes(range(8)), "num_subscribers": 1},
     "00 08 00 00 00 00 08 00 01 02 03 04 05 06 07 00 00 00 01"),
    ({"body": "CHECK_SUBSCRIPTIONS", "tracing": b"", "url": URL}, """
00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30
2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63
65 69 76 65"""),
    (SL.set_subs(URL, *SL.EX9), """
00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30
2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63
65 69 76 65 00 04 33 f2 f3 b6 05 45 29 ac 97 94
d4 62 22 64 6b 46 03 aa 77 90 cc 53 74 c7 81 4e
78 0f b9 10 c3 fa a4 22 9f 4b 4a 61 37 c6 56 15
07 c2 5f 8f 8e e4 2a ff 6f af 8c 77 2b f9 05 50
9b b9 7a 7e 8a 00 00 00 02 00 01 61 00 00 00 03
62 2f 63 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e
30 2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65
63 6f 76 65 72 00 00 00 01 00 03 78 2f 2a 00 00"""),
]


@pytest.mark.parametrize("msg,hexdump", SL_EXAMPLES)
def test_stateless_examples(msg, hexdump):
    assert SLM.encode_reference(msg) == h(hexdump)
    assert SLM.encode_strict(msg) == h(hexdump)
    assert SLM.decode(msg["body"], h(hexdump)) == msg


def test_stateless_exact_length_rules():
    n = SL_EXAMPLES[0]
    with pytest.raises(Reject):
        SLM.decode("NOTIFY", h(n[1]) + b"\x00")
    sub = SL_EXAMPLES[2]
    assert SLM.decode("SUBSCRIBE_EXACT", h(sub[1]) + b"junk") == sub[0]  # QK-47


def test_repr_digest_example():
    hdr = ("sha-512=FQoU7VvqbMcxz4bEFWasQnqNtI7xuf1iZmSzv7uZBx+kySLzPd44cZuMg1Tit6udd+Dmf8Eo"
           "Q5IKcS5z1Vjhlw==")
    assert AM.repr_digest_parse(hdr, True) == sha512(b"hi")
    assert "sha-512=" + AM.b64std(sha512(b"hi")) == hdr


def test_etag_examples():
    empty = EM.etag("", [], [])
    assert empty["document"] == h("55 52 4c 00 00 0a 45 58 41 43 54 0a 47 4c 4f 42 0a")
    assert empty["etag"].hex() == (
        "4d185c543bbdc927a42df28715721fbcb11dfb20d7d07117917849b5c4e281d3"
        "778d1e5eef3018f2c44a9608ee4f16b53e7557b8eaed1d01c18321a9f3e8c8d9")
    full = EM.etag(URL, *SL.EX9)
    assert len(full["document"]) == 100
    assert full["etag"].hex() == (
        "0433f2f3b6054529ac9794d46222646b4603aa7790cc5374c7814e780fb910c3"
        "faa4229f4b4a6137c6561507c25f8f8ee42aff6faf8c772bf905509bb97a7e8a")
    with pytest.raises(Reject):
        EM.document("", [E.X(b"b"), E.X(b"a")], [])


HMAC_EXAMPLES = [
    (A.fields("SUBSCRIBE_EXACT", url=URL, recovery=None, topic=b"foo/bar"), """
01 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66
00 00 00 20 68 74 74 70 3a 2f 2f 31 32 37 2e 30
2e 30 2e 31 3a 33 30 30 32 2f 76 31 2f 72 65 63
65 69 76 65 00 00 00 07 66 6f 6f 2f 62 61 72""",
     "acAtizNS+K7OfssM7yA8XU6o0DTkx/yhiDul0/LlKunwAkxPsZLnrOWWIc75QRvOxfmBdQq6pnj9VRdUN7y8gQ=="),
    (A.fields("NOTIFY", topic=b"foo/bar", identifier=h("deadbeef"), sha512=sha512(b"hi")), """
03 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66
00 00 00 07 66 6f 6f 2f 62 61 72 04 de ad be ef
15 0a 14 ed 5b ea 6c c7 31 cf 86 c4 15 66 ac 42
7a 8d b4 8e f1 b9 fd 62 66 64 b3 bf bb 99 07 1f
a4 c9 22 f3 3d de 38 71 9b 8c 83 54 e2 b7 ab 9d
77 e0 e6 7f c1 28 43 92 0a 71 2e 73 d5 58 e1 97""",
     "1yATyLSNh5IxPgChLpVkleUDbxvlWyI3ghWLUA9zgpRzsyN75/feKF1se0Z4nJU/osjiytD1tZd+BTKu4sg2lA=="),
    (A.fields("STATEFUL_CONFIGURE", subscriber_nonce=bytes(range(32)), enable_zstd=True,
              enable_training=True, initial_dict=0), """
04 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66
00 00 20 00 01 02 03 04 05 06 07 08 09 0a 0b 0c
0d 0e 0f 10 11 12 13 14 15 16 17 18 19 1a 1b 1c
1d 1e 1f 01 01 00 00""",
     "leq362D38VdgmatEuX8/CHDvIUGrWArZpcm7RW2c722QYBvQhCo28iEcasxwnUmxSnNcT/b7wLHYybs6DyJpMg=="),
    (A.fields("SUBSCRIBE_EXACT", url=A.WSURL, recovery=None, topic=b"foo/bar"), """
01 00 00 00 00 65 53 f1 00 06 61 62 63 64 65 66
00 00 00 39 77 65 62 73 6f 63 6b 65 74 3a 2f 65
71 35 72 50 4e 78 41 32 4b 39 4a 6c 6a 4e 79 61
4b 65 6a 35 78 31 66 38 2b 59 45 57 41 36 6a 45
52 38 30 64 6b 56 45 51 67 3d 3a 2d 31 00 00 00
07 66 6f 6f 2f 62 61 72""",
     "NIaGo3BqpBuNIiEpjrlIbRP+Io4zzzA/RD6XdoPTLd6b27dRubAOT6JbMtYC+4Mv/YmTpbcxEKhxebKh/EXoig=="),
]


@pytest.mark.parametrize("f,to_sign_hex,code", HMAC_EXAMPLES)
def test_hmac_examples(f, to_sign_hex, code):
    assert AM.to_sign(f, True) == h(to_sign_hex)
    header = AM.sign(dict(f, secret=A.SECRET), True)
    assert header == "X-HMAC 1700000000:abcdef:" + code
    assert AM.verify(dict(f, secret=A.SECRET, authorization=header, now="1700000000",
                         lifetime=120), True) == {"result": "OK"}


def test_secret_example():
    assert AM.secret_decode(A.SECRET, True) == bytes(range(64))


def test_lenient_base64_matches_cpython_nonstrict_mode():
    rng = random.Random(1)
    alphabet = "ABCxyz019+/=-_: \n"
    for _ in range(3000):
        s = "".join(rng.choice(alphabet) for _ in range(rng.randrange(12)))
        try:
            want = binascii.a2b_base64(s, strict_mode=False)
        except binascii.Error:
            want = None
        try:
            got = AM.b64_lenient(s)
        except Reject:
            got = None
        assert got == want, s


def test_b64std():
    for n in range(70):
        b = bytes(range(n))
        assert AM.b64std(b) == base64.b64encode(b).decode()


def test_session_examples():
    out = SM.connection_nonce(bytes(range(32)), bytes(range(32, 64)))
    assert out == {"connection_nonce": "fdeab9acf3710362bd2658cdc9a29e8f"
                                       "9c757fcf9811603a8c447cd1d9151108",
                   "nonce_b64": "/eq5rPNxA2K9JljNyaKej5x1f8+YEWA6jER80dkVEQg="}
    table = {1: "1", 10: "a", 16: "10", 255: "ff", -1: "-1", -10: "-a", -26: "-1a"}
    for c, txt in table.items():
        assert SM.ws_url(S.NONCE_B64, c, True)["url"] == f"websocket:{S.NONCE_B64}:{txt}"
    assert SM.ws_url_parse(f"websocket:{S.NONCE_B64}:-1") == {"nonce_b64": S.NONCE_B64,
                                                             "counter": "-1"}
