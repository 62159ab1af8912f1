"""Print the pinned requirement for one dependency, read from pyproject.toml.

The Makefile uses it to install torch before everything else without writing
its version a second time.
"""

import sys
import tomllib
from pathlib import Path

name = sys.argv[1]
project = tomllib.loads(Path("pyproject.toml").read_text())["project"]
for requirement in project["dependencies"]:
    if requirement.split("==")[0].split("[")[0] == name:
        print(requirement)
        break
else:
    sys.exit(f"pyproject.toml pins no dependency named {name!r}")
