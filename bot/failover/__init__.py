"""The failover drill: a guided response, in a thread, when a partner drops out."""
