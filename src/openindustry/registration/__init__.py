"""Registration: seats, waitlists, lottery slots, tickets, cancellation, the no-show policy."""
