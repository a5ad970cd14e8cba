"""HTML adapters: the participants' mini-app and the staff back office; they call services only."""
