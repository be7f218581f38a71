"""Read request bodies: JSON, or multipart with `payload_json` and `files[n]` parts."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

from .errors import ApiError
from .recorder import UploadedFile


@dataclass
class Body:
    """A parsed request body."""

    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)
    multipart: bool = False


def invalid_json() -> ApiError:
    """Build Discord's 400 for a body that is not JSON."""
    return ApiError(400, 50109, "The request body contains invalid JSON.")


async def read_body(request: web.Request) -> Body:
    """Parse the body of a request according to its content type."""
    if request.content_type.startswith("multipart/"):
        return await _read_multipart(request)
    raw = await request.read()
    if not raw:
        return Body()
    try:
        return Body(json=json.loads(raw))
    except (ValueError, UnicodeDecodeError) as exc:
        raise invalid_json() from exc


async def _read_multipart(request: web.Request) -> Body:
    """Pull out payload_json and the file parts, keeping bytes and filenames."""
    body = Body(json={}, multipart=True)
    reader = await request.multipart()
    while True:
        part = await reader.next()
        if part is None:
            break
        if not isinstance(part, BodyPartReader):
            continue
        data = await part.read(decode=True)
        name = part.name or ""
        if part.filename is not None:
            content_type = part.headers.get("Content-Type")
            body.files.append(UploadedFile(name, part.filename, bytes(data), content_type))
        elif name == "payload_json":
            try:
                body.json = json.loads(bytes(data))
            except (ValueError, UnicodeDecodeError) as exc:
                raise invalid_json() from exc
        else:
            # Discord also accepts plain form fields such as `content`.
            body.json[name] = bytes(data).decode("utf-8", "replace")
    return body
