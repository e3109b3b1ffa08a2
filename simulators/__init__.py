"""Strict HTTP simulators of remote certificate authorities, for tests and demos."""
