"""Constants shared by the emulator's modules."""

API_VERSION = "2026-10-28.endive"
