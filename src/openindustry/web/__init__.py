"""HTML adapters: the participants' mini-app pages and the staff back office. They call services only."""
