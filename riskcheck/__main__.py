from riskcheck.cli.main import _entry

if __name__ == "__main__":
    _entry()
