"""Search across consultations, sections and published comments (Whoosh embedded, or PostgreSQL)."""
