"""relplan: release planning for release managers."""

__version__ = "0.1.0"
