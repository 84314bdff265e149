"""Build hook: copies the suite's data into the package (``lpsp_conformance/_data``).

Everything else is declared in pyproject.toml. The vectors, their schemas and
formats, the expected-failure files of the built-in implementations and the
testee-protocol document live where the repository's tools edit them; a wheel
or an sdist-built install must carry them, so ``build_py`` copies them in.
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA = [
    ("vectors", "vectors/*.json"),
    ("vectors", "vectors/*.md"),
    ("vectors", "vectors/ids.txt"),
    ("expected-failures", "conformance/expected-failures/*.txt"),
    ("", "conformance/TESTEE-PROTOCOL.md"),
]


class BuildWithData(build_py):
    def run(self):
        super().run()
        dest = Path(self.build_lib) / "lpsp_conformance" / "_data"
        n = 0
        for sub, pattern in DATA:
            for src in sorted(ROOT.glob(pattern)):
                (dest / sub).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest / sub / src.name)
                n += 1
        if not (dest / "vectors" / "stateful-s2b.json").is_file():
            raise SystemExit("setup.py: the vectors are missing; build from a repository checkout or an sdist")
        print(f"setup.py: {n} data files in {dest}")


setup(cmdclass={"build_py": BuildWithData})
