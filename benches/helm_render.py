"""Render every chart under a helm/ folder with Helm's own renderer (helm-python-sdk), once per
values set (values.yaml alone, then each values-<env>.yaml over it), and print the time taken.

Usage: python helm_render.py <output>/helm [max-charts]
Prints one line: `charts=<n> renders=<n> seconds=<s>` (load + render, not Python start-up).
Run by `cargo bench --bench pipeline` when the oracle venv exists; it is what a user would
otherwise run (`helm template`) to get the manifests the charts stand for.
"""

import glob
import os
import sys
import time

import helm_python as helm


def main() -> None:
    root = sys.argv[1]
    limit = int(sys.argv[2]) if len(sys.argv) > 2 else None
    charts = sorted(d for d in glob.glob(os.path.join(root, "*")) if os.path.isfile(os.path.join(d, "Chart.yaml")))
    if limit is not None:
        charts = charts[:limit]
    renders = 0
    started = time.perf_counter()
    for chart_dir in charts:
        sets = [None]
        for path in sorted(glob.glob(os.path.join(chart_dir, "values-*.yaml"))):
            with open(path, encoding="utf-8") as fh:
                sets.append(helm.values_from_yaml(fh.read()))
        with helm.Chart.load(chart_dir) as chart:
            name = chart.name or "release"
            for values in sets:
                chart.render(values, name=name, namespace="bench", is_install=True)
                renders += 1
    seconds = time.perf_counter() - started
    print(f"charts={len(charts)} renders={renders} seconds={seconds:.3f}")


if __name__ == "__main__":
    main()
