"""The event index: every rdh-chain contract's logs in a database, and what is derived from them.

It imports the SDK core only. :mod:`rdh_chain.index.queries` is the one door out: the gateway,
the CLI, verification and statements read frozen values from it, never ORM rows.
"""
