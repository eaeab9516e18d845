"""policykg: a comparative knowledge graph of Chinese regional S&T transfer policies."""
__version__ = "0.1.0"
