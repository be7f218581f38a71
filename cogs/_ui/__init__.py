"""What every cog shares: paging, private replies, symbol choices, and who may do what."""
