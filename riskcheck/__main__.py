from riskcheck.cli.main import _entry

_entry()
