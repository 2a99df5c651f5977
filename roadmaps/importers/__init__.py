"""Reading roadmaps from Word, Excel, PDF, OpenDocument and text documents into plain Python
structures.

``parse_document(path_or_file)`` returns a ``ParsedRoadmap`` or raises ``DocumentError`` with one
Russian sentence for the user. Saving the result as models is not done here.
"""

from .reader import ACCEPTED, MAX_BYTES, parse_document
from .structure import Approval, DocumentError, ParsedItem, ParsedRoadmap, ParsedSection

__all__ = [
    "ACCEPTED",
    "MAX_BYTES",
    "Approval",
    "DocumentError",
    "ParsedItem",
    "ParsedRoadmap",
    "ParsedSection",
    "parse_document",
]
