"""Fair draws for lottery slots and prize draws: commit–reveal, exact ranking, verification."""
