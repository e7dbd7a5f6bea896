"""Operator screens' behaviour: user search, plan changes, and the job queue at a glance."""
