"""What the provider emulators share (server, routing, faults, request log, control routes)."""
