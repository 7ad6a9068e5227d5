"""Who may see what.

Sign-in and allow-list decisions, the roles each agreement needs, and keeping secrets out of logs and messages.
"""
