"""A local Yahoo Finance for yfinance: payloads written in Yahoo's shapes, served on 127.0.0.1.

Tests and benchmarks share it; it imports nothing of bot/ or cogs/ and is not shipped.
"""
