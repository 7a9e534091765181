"""Connection limits uvicorn does not have: a client must finish sending a request's headers in time."""

from __future__ import annotations

from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0


class GuardedH11(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, closing a connection that sends no complete request for
    ``HEADER_TIMEOUT_S`` seconds while none is being answered (half-sent headers, a silent connection).
    Bodies are guarded by the store itself (a limit per read)."""

    header_timeout_s = HEADER_TIMEOUT_S

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._last_cycle = None
        self._guard = self.loop.call_later(self.header_timeout_s, self._check)

    def _check(self) -> None:
        if self.transport.is_closing():
            return
        cycle = self.cycle
        busy = cycle is not None and not cycle.response_complete
        if not busy and cycle is self._last_cycle:
            self.transport.close()
            return
        self._last_cycle = cycle
        self._guard = self.loop.call_later(self.header_timeout_s, self._check)

    def connection_lost(self, exc) -> None:
        self._guard.cancel()
        super().connection_lost(exc)
