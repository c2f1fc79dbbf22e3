"""Amazon EventBridge Scheduler (``scheduler``): schedule groups, schedules and their firing."""
