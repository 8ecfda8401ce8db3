"""Runs pytest and refuses a run that executed no test (pytest's exit code 5)."""

import os
import subprocess
import sys

NO_TESTS_COLLECTED = 5

args = [sys.executable, "-m", "pytest", *sys.argv[1:]]
if os.environ.get("PYTEST_WORKERS", "2") != "1":
    args += ["-n", os.environ.get("PYTEST_WORKERS", "2"), "--dist", "loadfile"]
code = subprocess.call(args)
if code == NO_TESTS_COLLECTED:
    print("pytest ran no test: that is a failure here.", file=sys.stderr)
    sys.exit(1)
sys.exit(code)
