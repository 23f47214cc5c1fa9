"""The Sustainable Cashmere Union assistant: quoted, cited answers from the union's texts."""
from .answer import Reply, Source
from .core import Assistant

__all__ = ["Assistant", "Reply", "Source"]
