#!/usr/bin/env python3
"""Runs the lonelypsp conformance suite: see conformance/README.md.

    run.py [--impl c|lonelypsp|'<adapter command>'] [--vectors DIR] [--area A]
           [--feature F] [-k EXPR] [--junitxml FILE] [pytest options]

Exit status: 0 all good, 1 conformance failures, 2 harness/adapter error.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from lpsp_conformance.__main__ import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main())
