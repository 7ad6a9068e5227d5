"""Reading what a customer gives.

Unpacking files, finding the layout, and mapping its columns onto the canonical schema (one alias map per dialect).
"""
