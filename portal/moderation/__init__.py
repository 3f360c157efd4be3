"""Moderation (审核): the queue, citizen reports, sensitive words, spam signs, form letters."""
