"""Starting and stopping the peers under test on 127.0.0.1, by PID.

* :class:`PeerProcess`: a child process that prints ``READY ...`` when it
  serves, stopped with SIGTERM then SIGKILL; its output is kept for reports.
* :func:`start_lonelypss`: the real broadcaster (``apps/lonelypss_broadcaster``),
  one per authorization mode and storage backend.
* :class:`SubscriberLauncher`: starts a subscriber under test for one
  scenario from a command template (the lonelypsc application by default).
"""

from __future__ import annotations

import collections
import os
import shlex
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Deque, Dict, List, Optional

from .auth import AuthConfig
from .engine import HarnessError

LONELYPSS_BACKENDS = ("sqlite-memory", "sqlite-file")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port: int, timeout: float, process: "PeerProcess") -> None:
    """Until 127.0.0.1:port accepts a connection (bounded by `timeout`)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if not process.alive or time.monotonic() > deadline:
                process.stop()
                raise HarnessError(f"{process.name} (pid {process.pid}) does not accept connections "
                                   f"on port {port}:\n{process.tail()}") from None
            time.sleep(0.05)


def peer_env(auth: AuthConfig) -> Dict[str, str]:
    env = dict(os.environ)
    env.update(LPSP_PEER_AUTH=auth.mode, LPSP_PEER_TO_BROADCASTER=auth.to_broadcaster,
               LPSP_PEER_TO_SUBSCRIBER=auth.to_subscriber)
    return env


class PeerProcess:
    """A peer started by the suite. Output lines are kept (the last 200)."""

    def __init__(self, argv: List[str], env: Dict[str, str], name: str):
        self.argv = argv
        self.name = name
        self.lines: Deque[str] = collections.deque(maxlen=200)
        self.events: "collections.deque[str]" = collections.deque()
        self.ready = threading.Event()
        self.ready_line = ""
        self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            self.lines.append(line)
            if line.startswith("READY ") and not self.ready.is_set():
                self.ready_line = line[6:].strip()
                self.ready.set()
            elif line.startswith("{"):
                self.events.append(line)
        self.ready.set()

    def wait_ready(self, timeout: float) -> str:
        if not self.ready.wait(timeout):
            self.stop()
            raise HarnessError(f"{self.name} (pid {self.pid}) did not start within {timeout:g} s:\n"
                               + self.tail())
        if not self.ready_line:
            raise HarnessError(f"{self.name} (pid {self.pid}) exited with status {self.stop()} "
                               f"before it was ready:\n" + self.tail())
        return self.ready_line

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def tail(self, n: int = 25) -> str:
        return "\n".join(f"  | {ln}" for ln in list(self.lines)[-n:])

    def stop(self) -> Optional[int]:
        """SIGTERM to the process group, SIGKILL after 5 s; returns the exit status."""
        if self.proc.poll() is None:
            try:
                os.killpg(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
                self.proc.wait(5)
        for f in (self.proc.stdin, self.proc.stdout):
            try:
                if f:
                    f.close()
            except Exception:
                pass
        return self.proc.returncode


class Lonelypss:
    """A lonelypss broadcaster for one authorization mode and storage backend."""

    def __init__(self, auth: AuthConfig, backend: str = "sqlite-memory", extra: Optional[List[str]] = None):
        if backend not in LONELYPSS_BACKENDS:
            raise HarnessError(f"lonelypss backend must be one of {LONELYPSS_BACKENDS}, not {backend!r}")
        self.auth = auth
        self.backend = backend
        self.tmp = tempfile.TemporaryDirectory(prefix="lpsp-peer-")
        self.port = free_port()
        self.preset_path = os.path.join(self.tmp.name, "preset-2.dict")
        with open(self.preset_path, "wb") as f:
            f.write(preset_dictionary())
        argv = [sys.executable, "-m", "lpsp_conformance.peer.apps.lonelypss_broadcaster",
                "--port", str(self.port), "--auth", auth.mode, "--db", backend,
                "--preset", f"2={self.preset_path}", "--training-low-watermark", "4096",
                "--max-ws-message", "65536"]
        if backend == "sqlite-file":
            argv += ["--db-path", os.path.join(self.tmp.name, "subscriptions.db")]
        self.process = PeerProcess(argv + (extra or []), peer_env(auth),
                                   f"lonelypss ({auth.mode}, {backend})")
        self.base = self.process.wait_ready(60)
        # the application is ready before uvicorn binds its socket: wait for that too
        wait_port(self.port, 30, self.process)
        self.ws_url = self.base.replace("http://", "ws://") + "/v1/websocket"

    def stop(self) -> Optional[int]:
        code = self.process.stop()
        self.tmp.cleanup()
        return code


_PRESET: Optional[bytes] = None


def preset_dictionary() -> bytes:
    """Preset dictionary 2 (§7.1), the same bytes on both sides: trained by zstd
    from fixed samples, so that it is a real dictionary and deterministic."""
    global _PRESET
    if _PRESET is None:
        import zstandard
        samples = [(f'{{"event":"update","topic":"lpsp/{i % 7}","seq":{i},"payload":"'
                    + "abcdefgh"[i % 8] * (20 + i % 13) + '"}').encode() for i in range(400)]
        _PRESET = zstandard.train_dictionary(2048, samples).as_bytes()
    return _PRESET


class SubscriberLauncher:
    """Starts the subscriber under test for one scenario.

    The command template may use ``{ws_url}``, ``{exact}`` and ``{glob}`` (the
    first topic and pattern); the environment carries the same values
    (LPSP_PEER_WS_URL, LPSP_PEER_EXACT, LPSP_PEER_GLOB: newline-separated)
    and the authorization (LPSP_PEER_AUTH, LPSP_PEER_TO_BROADCASTER,
    LPSP_PEER_TO_SUBSCRIBER). A subscriber that prints JSON event lines on
    stdout (``{"event": "receive", "topic": HEX, "data": HEX}``) lets the
    delivery scenarios check what reached the application.
    """

    def __init__(self, template: str, auth: AuthConfig, name: str = "subscriber"):
        self.template = template
        self.auth = auth
        self.name = name

    def start(self, ws_url: str, exact: List[str], glob: List[str]) -> PeerProcess:
        env = peer_env(self.auth)
        env.update(LPSP_PEER_WS_URL=ws_url, LPSP_PEER_EXACT="\n".join(exact),
                   LPSP_PEER_GLOB="\n".join(glob))
        try:
            cmd = self.template.format(ws_url=shlex.quote(ws_url),
                                       exact=shlex.quote(exact[0] if exact else ""),
                                       glob=shlex.quote(glob[0] if glob else ""))
            return PeerProcess(shlex.split(cmd), env, self.name)
        except (OSError, ValueError, KeyError, IndexError) as e:
            cmd = self.template
            raise HarnessError(f"cannot start the subscriber with {cmd!r}: {e}") from None


def lonelypsc_template() -> str:
    return f"{shlex.quote(sys.executable)} -m lpsp_conformance.peer.apps.lonelypsc_subscriber"
