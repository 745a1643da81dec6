"""The gate: the policy (``[tool.riskcheck]``), the decision (one ``Check`` per
requirement an assessment must meet, passed, failed or skipped, with why), the runner
over files and baselines, and the pytest plugin that runs the same gate."""
