"""Word and Excel files as downloads: a media type per suffix, a Chinese file name with an ASCII fallback."""

from pathlib import PurePath
from urllib.parse import quote

from fastapi import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA_TYPES = {".xlsx": XLSX, ".docx": DOCX}


def attachment(name: str, fallback: str) -> str:
    """A Content-Disposition value that carries a Chinese file name (RFC 5987) with an ASCII fallback."""
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name)}"


def office_file(data: bytes, name: str, fallback: str) -> Response:
    """The file as a download named `name` (`fallback` for clients without RFC 5987); typed by its suffix."""
    return Response(data, media_type=MEDIA_TYPES[PurePath(fallback).suffix],
                    headers={"Content-Disposition": attachment(name, fallback)})
