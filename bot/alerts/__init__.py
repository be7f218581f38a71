"""Price alerts: the pure rules, the evaluation of ticks, the commands' service, messages."""
