"""The one reader of department spreadsheets (used by imports and linkage) and its helpers:
header synonyms, cell values, and writing safe cells back out."""

from .cells import cell_date, cell_text, neutralised
from .headers import (
    BUILDING_HEADERS,
    DWELLING_HEADERS,
    FACILITY_HEADERS,
    ORGANIZATION_HEADERS,
    PERSON_HEADERS,
    ColumnNames,
    HeaderMap,
    header_key,
    usual_header,
)
from .reading import Table, UnreadableFileError, read_table
from .workbooks import sheet_part

__all__ = [
    "BUILDING_HEADERS",
    "DWELLING_HEADERS",
    "FACILITY_HEADERS",
    "ORGANIZATION_HEADERS",
    "PERSON_HEADERS",
    "ColumnNames",
    "HeaderMap",
    "Table",
    "UnreadableFileError",
    "cell_date",
    "cell_text",
    "header_key",
    "neutralised",
    "read_table",
    "sheet_part",
    "usual_header",
]
