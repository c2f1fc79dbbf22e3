"""Amazon EC2, the subset the notes need: instances (no VMs), tags, regions and zones."""
