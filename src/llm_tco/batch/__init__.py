"""The nightly batch job: jobs in SQLite, sent inside a time window, resumable
after a crash, retried with back-off, and billed from the server's own usage.

Modules, one concept each: :mod:`.jobs` (the JSONL job file), :mod:`.store`
(SQLite state), :mod:`.retry` (back-off and Retry-After), :mod:`.http` (one
request), :mod:`.endpoints` (replicas), :mod:`.window` (the time window),
:mod:`.runner` (the run), :mod:`.bill` (what the run cost), and for the CVE
assessment job :mod:`.inventory`, :mod:`.osv`, :mod:`.verdict`, :mod:`.cve`.
"""
