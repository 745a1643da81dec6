"""Fairness evidence: disparity metrics by sensitive group, computed from data.

This package is imported by the fast paths of riskcheck (``validate``, ``schema``),
so it imports nothing here. The light modules are :mod:`riskcheck.fairness.spec`
(the ``fairness:`` block of an assessment) and :mod:`riskcheck.fairness.result`
(the frozen result); :mod:`riskcheck.fairness.api` does the work and imports
pandas, numpy, fairlearn and scikit-learn inside its functions.
"""
