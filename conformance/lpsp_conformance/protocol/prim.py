"""Primitive encodings (spec §1) and small helpers shared by all builders."""

import hashlib


class Reject(Exception):
    """A model decoder refuses its input; `cls` is the error class."""

    def __init__(self, cls, detail=""):
        super().__init__(f"{cls}: {detail}")
        self.cls = cls
        self.detail = detail


def u8(n):
    return n.to_bytes(1, "big")


def u16(n):
    return n.to_bytes(2, "big")


def u32(n):
    return n.to_bytes(4, "big")


def u64(n):
    return n.to_bytes(8, "big")


def mu(n):
    """Minimal unsigned (§1.2): 0 is the empty string."""
    if n < 0:
        raise ValueError("negative")
    return n.to_bytes((n.bit_length() + 7) // 8, "big")


def s16(n):
    """Signed 16-bit, always 2 bytes (§1.3)."""
    return n.to_bytes(2, "big", signed=True)


def sha512(b):
    return hashlib.sha512(b).digest()


def sha256(b):
    return hashlib.sha256(b).digest()


def pattern(n, seed=0):
    """Deterministic filler bytes of length n."""
    return bytes((i * 7 + seed) % 251 for i in range(n))


class Reader:
    """Exact reads over a byte string; running out raises truncated."""

    def __init__(self, data):
        self.data = bytes(data)
        self.pos = 0

    def take(self, n, what=""):
        if self.pos + n > len(self.data):
            raise Reject("truncated", f"{what}: need {n} bytes at offset {self.pos}")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def int(self, n, what=""):
        return int.from_bytes(self.take(n, what), "big")

    def rest(self):
        out = self.data[self.pos:]
        self.pos = len(self.data)
        return out

    def remaining(self):
        return len(self.data) - self.pos


def utf8(b, what=""):
    try:
        return b.decode("utf-8")
    except UnicodeDecodeError:
        raise Reject("bad_utf8", what)
