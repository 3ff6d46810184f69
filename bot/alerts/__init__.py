"""Proactive alerts: a post to opted-in channels when recorded metrics turn a partner red."""
