"""Failover drills in Slack: `/failover`, the checklist buttons and the Skip form."""
