"""Version ids: sortable by creation time, and naming the process that wrote them.

``<ms since epoch, 13 digits>-<host tag>-<pid>-<random>``. The host tag is a hash of the host name and its
boot id, so a store process restarted on the same machine can tell that a version's writer is gone (its pid
no longer runs) and remove what the writer left half done, without waiting for it to grow old.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import socket
import time

VID_RULE = re.compile(r"(\d{13})-([0-9a-f]{8})-(\d{1,10})-([0-9a-f]{8})")


def _host_tag() -> str:
    try:
        boot = open("/proc/sys/kernel/random/boot_id").read().strip()
    except OSError:
        boot = ""
    return hashlib.sha256(f"{socket.gethostname()}\n{boot}".encode()).hexdigest()[:8]


HOST_TAG = _host_tag()


def new_vid() -> str:
    return f"{int(time.time() * 1000):013d}-{HOST_TAG}-{os.getpid()}-{secrets.token_hex(4)}"


def find_vid(text: str) -> str | None:
    match = VID_RULE.search(text)
    return match.group(0) if match else None


def created_at(vid: str) -> float:
    return int(vid[:13]) / 1000


def writer_gone(vid: str) -> bool:
    """True when the version's writer ran on this machine (this boot) and no longer runs."""
    match = VID_RULE.fullmatch(vid)
    if match is None or match.group(2) != HOST_TAG:
        return False
    pid = int(match.group(3))
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
