"""What every cog shares: paging, private replies, and who may do what."""
