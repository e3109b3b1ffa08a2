"""Plumbing the simulators share: building real certificate chains, serving on 127.0.0.1.

Each simulator's protocol (routes, answers, error shapes) stays in its own package.
"""
