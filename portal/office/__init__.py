"""The drafting office's workspace: upload and review a draft, publish it, extend the deadline, revise."""
