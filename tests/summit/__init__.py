"""Summit planning: editions, sessions, decisions, the planners dashboard and the trace from vote to Summit."""
