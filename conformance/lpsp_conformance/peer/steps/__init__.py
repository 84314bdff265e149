"""The step language of peer scenarios: one async function per step name.

``STEPS[name](run, step)`` runs one step of a scenario. This module holds the
registry, the steps of both roles (send, expect, close, repeat, ...) and
``execute``; the steps of each role are in ``peer_broadcaster`` (the harness
plays subscribers over websockets), ``peer_broadcaster_http`` (the harness
plays HTTP subscribers and calls the stateless endpoints) and
``peer_subscriber`` (the harness plays the broadcaster). The step names,
their arguments and what each checks are documented in
``vectors/PEER-FORMAT.md``; ``vectors/peer-schema.json`` lists the same names
(a test keeps the two in step).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any, Awaitable, Callable, Dict, List

from .. import links
from ..engine import DEFAULT_TIMEOUT, Conn, HarnessError, NotApplicable, Run, ScenarioFailure, short
from ..vectors_ref import invalid_vector_bytes

Step = Callable[[Run, Dict[str, Any]], Awaitable[None]]
STEPS: Dict[str, Step] = {}


def step(name: str):
    def deco(fn: Step) -> Step:
        STEPS[name] = fn
        return fn
    return deco


def tmo(s: Dict[str, Any]) -> float:
    return float(s.get("timeout", DEFAULT_TIMEOUT))


def need(run: Run, role: str) -> None:
    if run.target.role != role:
        raise HarnessError(f"this step needs the peer to be a {role}")


def variant(run: Run, s: Dict[str, Any]) -> str:
    v = s.get("auth", "auto")
    mode = run.target.auth.mode
    if v != "auto" and mode == "none":
        raise NotApplicable(f"authorization variant {v!r} needs token or HMAC authorization")
    if v in ("expired", "replay", "stale-url") and mode != "hmac":
        raise NotApplicable(f"authorization variant {v!r} needs HMAC authorization")
    return v


@step("send")
async def send(run: Run, s: Dict[str, Any]) -> None:
    c = run.conn(s.get("conn", "a"))
    msg = {"type": s["type"], **{k: run.value(k, v) for k, v in s.get("fields", {}).items()}}
    await run.send(c, msg, variant(run, s))


@step("send_raw")
async def send_raw(run: Run, s: Dict[str, Any]) -> None:
    """A frame as bytes, or the input of an invalid message vector (by id)."""
    c = run.conn(s.get("conn", "a"))
    if "vector" in s:
        frame = invalid_vector_bytes(s["vector"])
        label = s["vector"]
    else:
        frame = bytes.fromhex(s["hex"])
        label = "hex"
    await run.send_raw(c, frame, label)


@step("expect")
async def expect(run: Run, s: Dict[str, Any]) -> None:
    """The next message is of `type` with `fields`; or, with `one_of`, the first
    alternative that matches names the outcome (implementation-defined)."""
    c = run.conn(s.get("conn", "a"))
    if "one_of" in s:
        await expect_one_of(run, c, s)
        return
    msg = await run.expect_msg(c, [s["type"]], tmo(s))
    for k, want in s.get("fields", {}).items():
        run.check(s["type"], k, msg.get(k), want)
    for var, key in s.get("save", {}).items():
        run.vars[var] = msg.get(key)


async def expect_one_of(run: Run, c: Conn, s: Dict[str, Any]) -> None:
    alts: Dict[str, Dict[str, Any]] = s["one_of"]
    types = [a["type"] for a in alts.values() if "type" in a]
    deadline = time.monotonic() + tmo(s)
    while True:
        try:
            msg = await run.recv(c, max(deadline - time.monotonic(), 0.001))
        except links.LinkClosed as e:
            for label, a in alts.items():
                if a.get("close"):
                    run.outcome = label
                    return
            raise ScenarioFailure(f"{c.name}: closed (code {e.code}); expected one of {types}") from None
        except asyncio.TimeoutError:
            for label, a in alts.items():
                if a.get("silence"):
                    run.outcome = label
                    return
            raise ScenarioFailure(f"{c.name}: none of {list(alts)} within {tmo(s):g} s") from None
        for label, a in alts.items():
            if a.get("type") == msg["type"]:
                for k, want in a.get("fields", {}).items():
                    run.check(msg["type"], k, msg.get(k), want)
                run.outcome = label
                return
        if not (msg["type"] in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM") and c.zstd):
            raise ScenarioFailure(f"{c.name}: got {msg['type']}, expected one of {list(alts)}")


@step("expect_close")
async def expect_close(run: Run, s: Dict[str, Any]) -> None:
    """The peer closes the connection (any close code, or those in `codes`)."""
    c = run.conn(s.get("conn", "a"))
    deadline = time.monotonic() + tmo(s)
    while True:
        try:
            msg = await run.recv(c, max(deadline - time.monotonic(), 0.001))
        except links.LinkClosed as e:
            codes = s.get("codes")
            if codes and e.code not in codes:
                raise ScenarioFailure(f"{c.name}: closed with code {e.code}, expected one of {codes}") from None
            return
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"{c.name}: still open {tmo(s):g} s after a message it must refuse "
                                  f"(the peer neither closed nor stopped)") from None
        except ScenarioFailure:
            continue  # anything it says before closing does not matter here
        run.note(f"{c.name}: {msg['type']} before the close")


@step("expect_silence")
async def expect_silence(run: Run, s: Dict[str, Any]) -> None:
    c = run.conn(s.get("conn", "a"))
    seconds = float(s.get("seconds", 0.5))
    deadline = time.monotonic() + seconds
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return
        try:
            msg = await run.recv(c, left)
        except asyncio.TimeoutError:
            return
        except links.LinkClosed as e:
            if s.get("allow_close"):
                return
            raise ScenarioFailure(f"{c.name}: closed (code {e.code}) where nothing was expected") from None
        if msg["type"] in ("ENABLE_ZSTD_PRESET", "ENABLE_ZSTD_CUSTOM", "DISABLE_ZSTD_CUSTOM") and c.zstd:
            continue
        raise ScenarioFailure(f"{c.name}: {msg['type']} arrived where nothing was expected: {short(msg)}")


@step("close")
async def close(run: Run, s: Dict[str, Any]) -> None:
    c = run.conns.pop(s.get("conn", "a"))
    await c.link.close()
    run.note(f"{c.name} closed by the harness")


def chunks(payload: bytes, size: int) -> List[bytes]:
    if not payload:
        return [b""]
    return [payload[i:i + size] for i in range(0, len(payload), size)]


async def execute(run: Run) -> None:
    """Runs every step; always closes what the scenario opened."""
    try:
        for i, s in enumerate(run.sc["steps"]):
            fn = STEPS.get(s["do"])
            if fn is None:
                raise HarnessError(f"step {i}: unknown step {s['do']!r}")
            try:
                await fn(run, s)
            except (ScenarioFailure, HarnessError) as e:
                raise type(e)(f"step {i + 1} ({s['do']}): {e}") from None
            except links.LinkClosed as e:
                raise ScenarioFailure(f"step {i + 1} ({s['do']}): the peer closed the connection "
                                      f"(code {e.code})") from None
    finally:
        await cleanup(run)


@step("repeat")
async def repeat(run: Run, s: Dict[str, Any]) -> None:
    """The nested `steps`, `times` times, with {i} set to 0, 1, ..."""
    times = int(s["times"])
    if not 0 < times <= 1000:
        raise HarnessError("repeat: times must be 1..1000")
    for i in range(times):
        run.vars["i"] = i
        for sub in s["steps"]:
            await STEPS[sub["do"]](run, sub)


@step("distinct")
async def distinct(run: Run, s: Dict[str, Any]) -> None:
    """The saved variables all differ (e.g. nonces of two connections)."""
    vals = [run.vars.get(v) for v in s["vars"]]
    if len(set(map(str, vals))) != len(vals):
        raise ScenarioFailure(f"{', '.join(s['vars'])} are not all different: {vals}")


async def cleanup(run: Run) -> None:
    """Stops what the scenario started; one failure does not leak the rest."""
    if run.process is not None:
        try:
            await asyncio.get_running_loop().run_in_executor(None, run.process.stop)
        except Exception as e:
            run.note(f"stopping the subscriber failed: {e}")
    for c in list(run.conns.values()):
        try:
            await c.link.close()
        except Exception as e:
            run.note(f"closing {c.name} failed: {e}")
    run.conns.clear()
    if run.server is not None and run.server is not getattr(run.target, "server", None):
        await run.server.stop()
        run.server = None


# the steps of each role register themselves; the names are re-exported
from .peer_broadcaster import alive, connect, handshake, notify, receive, subscribe  # noqa: E402,F401
from . import peer_broadcaster_http, peer_subscriber  # noqa: E402,F401
