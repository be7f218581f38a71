"""Where EDGAR keeps a company's submissions and a filing's folder, index and documents."""

from __future__ import annotations


def submissions_url(data_url: str, cik: str) -> str:
    """Return the URL of a company's submissions JSON (the CIK padded to ten digits)."""
    return f"{data_url}/submissions/CIK{int(cik):010d}.json"


def folder_url(archives_url: str, cik: str, accession: str) -> str:
    """Return the URL of a filing's folder in EDGAR's archives."""
    return f"{archives_url}/Archives/edgar/data/{int(cik)}/{accession.replace('-', '')}"


def index_url(archives_url: str, cik: str, accession: str) -> str:
    """Return the filing index page people open (every document of the filing)."""
    return f"{folder_url(archives_url, cik, accession)}/{accession}-index.htm"


def folder_listing_url(archives_url: str, cik: str, accession: str) -> str:
    """Return the folder's JSON listing (the names of the filing's documents)."""
    return f"{folder_url(archives_url, cik, accession)}/index.json"


def document_url(archives_url: str, cik: str, accession: str, name: str) -> str:
    """Return the URL of one document of a filing."""
    return f"{folder_url(archives_url, cik, accession)}/{name}"
