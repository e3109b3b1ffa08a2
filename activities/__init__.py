"""Temporal activities: the only place plugins and the store are called from an order.

Activities never import ``workflows``; the workflow imports these classes (through
the sandbox's pass-through) to reference their methods.
"""
