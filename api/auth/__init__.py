"""Sign-In with Ethereum (EIP-4361) for the gateway: nonces, sessions, viewers and the
authorization the routes declare (``api.auth.deps``)."""
