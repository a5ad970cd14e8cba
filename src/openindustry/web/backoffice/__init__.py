"""The staff back office: organizers, hosts and admins."""
