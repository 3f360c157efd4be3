"""Routing: who receives a consultation's comments (contact and responsible units), per comment or as digests."""
