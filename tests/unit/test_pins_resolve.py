"""The pins (requirements.txt) resolve on every Python the Makefile may build the course environment with.

The Makefile's COURSE_PYTHONS lists them (tools/find_python.sh takes the first that works): a 3.11 from
3.11.5 on (soupsieve's floor), a 3.12, a 3.13. A pin that drops one of them fails here, not on a
student's machine. Resolving asks the package index; where it cannot be reached the test is skipped.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from site_facts import ROOT  # noqa: E402

COURSE_PYTHONS = re.search(r"^COURSE_PYTHONS := (.+)$", (ROOT / "Makefile").read_text(), re.M).group(1).split()
# What uv says when it never got an answer from the index (connection refused, DNS, TLS, timeout).
UNREACHABLE = re.compile(r"error sending request|client error \(Connect\)|tcp connect error|dns error|"
                         r"Connection refused|Network is unreachable|timed out", re.I)


@pytest.mark.slow
@pytest.mark.parametrize("version", COURSE_PYTHONS)
def test_requirements_resolve_on(version, tmp_path):
    uv = Path(sys.executable).with_name("uv")  # pinned in requirements.txt
    done = subprocess.run([str(uv), "pip", "compile", str(ROOT / "requirements.txt"), "--python-version", version,
                           "--no-header", "-q", "-o", str(tmp_path / "resolved.txt")],
                          capture_output=True, text=True, timeout=600)
    if done.returncode and "No solution found" not in done.stderr and UNREACHABLE.search(done.stderr):
        pytest.skip(f"the package index is unreachable, so the pins cannot be resolved: {done.stderr.strip()[:300]}")
    assert done.returncode == 0, f"requirements.txt does not resolve on Python {version}:\n{done.stderr}"
