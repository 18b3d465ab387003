"""Clients of delivery tools (deployments and incidents), one module per source."""
