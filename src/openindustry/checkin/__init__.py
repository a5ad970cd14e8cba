"""Check-in at the gate: ticket validation, offline sync, guest lists and exports."""
