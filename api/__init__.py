"""The rdh-chain HTTP gateway: read-only JSON endpoints and a web page over the SDK."""
