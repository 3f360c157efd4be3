"""Mail: an outbox written in the same transaction as the action, a worker that delivers it, commenter addresses."""
