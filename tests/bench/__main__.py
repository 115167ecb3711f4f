"""Run every benchmark in turn and print its figures, with the machine and date for the README."""

from __future__ import annotations

import datetime
import os
import platform

from tests.bench import bench_abuse, bench_ingest, bench_sentiment, bench_triage


def main() -> None:
    print(f"Netzpflege benchmarks — {datetime.date.today().isoformat()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    for name, bench in (("ingest", bench_ingest), ("triage", bench_triage), ("sentiment", bench_sentiment),
                        ("abuse", bench_abuse)):
        print(f"\n=== {name} ===", flush=True)
        bench.main([])


if __name__ == "__main__":
    main()
