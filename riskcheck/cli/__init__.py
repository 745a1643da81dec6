"""The ``riskcheck`` command line: thin commands over the public API."""
