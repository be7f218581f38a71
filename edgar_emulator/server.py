"""The local EDGAR: submissions JSON in EDGAR's columnar format, filing folders and documents.

It serves both hosts (data.sec.gov and www.sec.gov) from one base URL, and checks the rules
SEC sets for automated clients on every request: a User-Agent naming a person and an e-mail
address (without one it answers 403, as SEC does), and no more than ``max_rate`` requests in
any one-second window. Breaches are kept in ``problems()`` for tests to assert on.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any, Final

from aiohttp import web

UA_RULE: Final = re.compile(r"\S+\s+\S*[^@\s]+@[^@\s]+\.[^@\s]+")
SEC_RATE: Final = 10  # requests per second SEC allows one client


@dataclass
class Document:
    """One document in a filing folder."""

    name: str
    body: str
    description: str


@dataclass
class StoredFiling:
    """A filing as the local EDGAR lists it."""

    accession: str
    form: str
    items: str
    filed: str
    accepted: datetime
    documents: list[Document]


@dataclass
class Company:
    """A filer: its name, tickers and filings (newest first)."""

    cik: int
    name: str
    tickers: list[str]
    filings: list[StoredFiling] = field(default_factory=list)
    changed_at: datetime = field(default_factory=lambda: datetime.now(UTC))


@dataclass(frozen=True)
class Seen:
    """One request the local EDGAR received."""

    at: float
    path: str
    status: int
    size: int
    user_agent: str | None
    conditional: bool


@dataclass
class Fault:
    """Answer the next ``times`` requests whose path contains ``path`` with a fault."""

    path: str
    times: int
    status: int | None = None  # an HTTP status to answer with
    truncate: bool = False  # cut the JSON body in half
    delay: float = 0.0  # seconds before answering (a slow body)


class EdgarEmulator:
    """A local EDGAR; ``async with EdgarEmulator() as edgar`` serves it on an ephemeral port."""

    def __init__(self, *, max_rate: int = SEC_RATE) -> None:
        self.max_rate = max_rate
        self.companies: dict[int, Company] = {}
        self.seen: list[Seen] = []
        self.faults: list[Fault] = []
        self._problems: list[str] = []
        self._window: deque[float] = deque()
        self._sequence = 0
        self._runner: web.AppRunner | None = None
        self.base_url = ""
        # Called with (path, status) as each answer is about to go out (a test may kill the
        # client there: it asked, EDGAR answered, the client has not read the answer yet).
        self.listeners: list[Callable[[str, int], None]] = []

    async def __aenter__(self) -> EdgarEmulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def start(self) -> EdgarEmulator:
        """Serve on 127.0.0.1 on an ephemeral port."""
        app = web.Application()
        app.router.add_get("/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None and server.sockets
        port = server.sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    async def stop(self) -> None:
        """Stop serving."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----- the world -----------------------------------------------------------------
    def add_company(self, cik: int, name: str, tickers: list[str] | None = None) -> Company:
        """Add a filer with no filings yet."""
        company = Company(cik, name, tickers or [])
        self.companies[cik] = company
        return company

    def add_filing(
        self,
        cik: int,
        form: str = "8-K",
        *,
        items: str = "",
        text: str = "<html><body><p>Report.</p></body></html>",
        exhibit: str | None = None,
        description: str = "",
        accepted: datetime | None = None,
    ) -> str:
        """Publish a filing (listed first, as the newest); return its accession number."""
        company = self.companies[cik]
        self._sequence += 1
        now = accepted or datetime.now(UTC)
        accession = f"{9_999_999_999 - cik % 1000:010d}-26-{self._sequence:06d}"
        documents = [Document(f"doc{self._sequence}.htm", text, description or form)]
        if exhibit is not None:
            documents.append(Document(f"ex99-1_{self._sequence}.htm", exhibit, "EX-99.1"))
        company.filings.insert(
            0, StoredFiling(accession, form, items, now.date().isoformat(), now, documents)
        )
        company.changed_at = datetime.now(UTC)
        return accession

    def fail(
        self,
        path: str,
        *,
        status: int | None = None,
        times: int = 1,
        truncate: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Answer the next ``times`` requests whose path contains ``path`` with a fault."""
        self.faults.append(Fault(path, times, status, truncate, delay))

    def problems(self) -> list[str]:
        """Return every breach of SEC's rules seen (missing User-Agent, over the rate)."""
        return list(self._problems)

    def requests(self, path_contains: str = "") -> list[Seen]:
        """Return the requests seen whose path contains ``path_contains``."""
        return [s for s in self.seen if path_contains in s.path]

    # ----- serving -------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.StreamResponse:
        now = time.monotonic()
        agent = request.headers.get("User-Agent")
        self._window.append(now)
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) > self.max_rate:
            self._problems.append(
                f"{len(self._window)} requests within one second (limit {self.max_rate}): "
                f"{request.path}"
            )
        conditional = "If-None-Match" in request.headers
        if agent is None or not UA_RULE.search(agent):
            self._problems.append(f"request without a name-and-e-mail User-Agent: {request.path}")
            return self._log(
                request, agent, conditional, web.Response(status=403, text="Forbidden")
            )
        fault = self._fault(request.path)
        if fault is not None:
            if fault.delay:
                await asyncio.sleep(fault.delay)
            if fault.status is not None:
                reply = web.Response(status=fault.status, text="fault")
                return self._log(request, agent, conditional, reply)
        response = self._answer(request)
        if fault is not None and fault.truncate and response.body:
            body = bytes(response.body)  # type: ignore[arg-type]
            response = web.Response(body=body[: len(body) // 2], content_type="application/json")
        return self._log(request, agent, conditional, response)

    def _fault(self, path: str) -> Fault | None:
        for fault in self.faults:
            if fault.times > 0 and fault.path in path:
                fault.times -= 1
                return fault
        return None

    def _log(
        self, request: web.Request, agent: str | None, conditional: bool, response: web.Response
    ) -> web.Response:
        size = len(response.body) if isinstance(response.body, bytes) else 0
        for listener in self.listeners:
            listener(request.path, response.status)
        self.seen.append(
            Seen(time.monotonic(), request.path, response.status, size, agent, conditional)
        )
        return response

    def _answer(self, request: web.Request) -> web.Response:
        path = request.path
        found = re.fullmatch(r"/submissions/CIK(\d{10})\.json", path)
        if found:
            company = self.companies.get(int(found.group(1)))
            if company is None:
                return web.Response(status=404, text="Not Found")
            body = json.dumps(submissions(company)).encode()
            etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
            headers = {
                "ETag": etag,
                "Last-Modified": format_datetime(company.changed_at, usegmt=True),
            }
            if request.headers.get("If-None-Match") == etag:
                return web.Response(status=304, headers=headers)
            return web.Response(body=body, content_type="application/json", headers=headers)
        found = re.fullmatch(r"/Archives/edgar/data/(\d+)/(\d{18})/(.+)", path)
        if found:
            filing = self._filing(int(found.group(1)), found.group(2))
            if filing is None:
                return web.Response(status=404, text="Not Found")
            name = found.group(3)
            if name == "index.json":
                return web.json_response(folder_listing(filing))
            for document in filing.documents:
                if document.name == name:
                    return web.Response(text=document.body, content_type="text/html")
        return web.Response(status=404, text="Not Found")

    def _filing(self, cik: int, folder: str) -> StoredFiling | None:
        company = self.companies.get(cik)
        if company is None:
            return None
        for filing in company.filings:
            if filing.accession.replace("-", "") == folder:
                return filing
        return None


def submissions(company: Company) -> dict[str, Any]:
    """Return the company's submissions document in EDGAR's columnar format."""
    filings = company.filings

    def column(value: Any) -> list[Any]:
        return [value(f) for f in filings]

    return {
        "cik": str(company.cik),
        "entityType": "operating",
        "name": company.name,
        "tickers": company.tickers,
        "filings": {
            "recent": {
                "accessionNumber": column(lambda f: f.accession),
                "filingDate": column(lambda f: f.filed),
                "reportDate": column(lambda f: f.filed),
                "acceptanceDateTime": column(
                    lambda f: f.accepted.strftime("%Y-%m-%dT%H:%M:%S.000Z")
                ),
                "act": column(lambda f: "34"),
                "form": column(lambda f: f.form),
                "fileNumber": column(lambda f: "001-00000"),
                "items": column(lambda f: f.items),
                "size": column(lambda f: sum(len(d.body) for d in f.documents)),
                "isXBRL": column(lambda f: 0),
                "isInlineXBRL": column(lambda f: 0),
                "primaryDocument": column(lambda f: f.documents[0].name),
                "primaryDocDescription": column(lambda f: f.documents[0].description),
            },
            "files": [],
        },
    }


def folder_listing(filing: StoredFiling) -> dict[str, Any]:
    """Return a filing folder's ``index.json`` as EDGAR's archives serve it."""
    return {
        "directory": {
            "name": filing.accession.replace("-", ""),
            "item": [
                {"name": d.name, "type": "text.gif", "size": str(len(d.body))}
                for d in filing.documents
            ],
        }
    }
