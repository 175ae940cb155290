"""Sending each member what the protocol sends it, and following the councils' answers up."""
