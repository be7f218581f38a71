"""Putting the bot on a real server: start-up errors, the invite link and the health check."""
