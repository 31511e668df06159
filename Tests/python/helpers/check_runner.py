"""What scripts/check-dashboards and scripts/check-docker share: running a tool, reporting checks."""

import subprocess
from collections.abc import Callable
from pathlib import Path


def run(command: list[str], cwd: Path | None = None) -> list[str]:
    """No problems when the command succeeds; its command line and output when it fails."""
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True)
    return [] if result.returncode == 0 else [f"{' '.join(command)}:\n{result.stdout}{result.stderr}"]


def run_checks(prefix: str, checks: list[tuple[str, Callable[[], list[str]]]]) -> int:
    """Runs every check, prints its problems and 'N passed, N failed'; the exit status."""
    failed = 0
    for name, check in checks:
        problems = check()
        print(f"{prefix}: {name}: {'FAILED' if problems else 'ok'}")
        for problem in problems:
            print(f"  {problem}")
        failed += bool(problems)
    print(f"{len(checks) - failed} passed, {failed} failed")
    return 1 if failed else 0
