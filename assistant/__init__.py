"""The Sustainable Cashmere Union assistant: quoted, cited answers from the union's texts."""
from assistant.pipeline import Assistant
from assistant.types import Reply, Source

__all__ = ["Assistant", "Reply", "Source"]
