"""Operations helpers run by staff."""
import subprocess


def open_barrier(gate: str) -> int:
    # Shell with an interpolated value: bandit B602 (HIGH), which the scan test expects.
    return subprocess.call(f"barrier-ctl open {gate}", shell=True)
