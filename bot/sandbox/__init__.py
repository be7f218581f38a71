"""The local sandbox: a Discord emulator and the console that drives the bot through it."""
