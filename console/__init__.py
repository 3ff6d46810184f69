"""`partnerbot console`: the real app driven from a prompt, against a local stand-in for Slack."""
