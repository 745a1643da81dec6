"""The gate: the policy (``[tool.riskcheck]``), the decision (one ``Check`` per
reason an assessment passes or fails), the runner over files and baselines, the
shared vocabulary, and the pytest plugin that runs the same gate."""
