"""The tool's HTTP endpoints; each view parses, calls one service, and renders."""
