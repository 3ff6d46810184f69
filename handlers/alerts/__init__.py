"""Proactive alerts in Slack: `/digest alerts`, the alert message and its health button."""
