"""Rendering: plain data in, Discord text, embeds and images out (no I/O)."""
