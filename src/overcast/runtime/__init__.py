"""What happens without a request: the clock, timers and schedules, the audit stream."""
