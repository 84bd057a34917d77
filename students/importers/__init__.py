"""Readers of files uploaded into the students app: parse and validate, never write."""
