"""Test infrastructure shared by the suites (real servers, never mocks)."""
