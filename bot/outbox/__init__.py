"""The outbox: everything the bot says on its own, stored first and delivered by a worker."""
