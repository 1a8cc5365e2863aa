"""The tour notebook's code cells run top to bottom against the current API (no plotting backend needed)."""
import json
import os
import pathlib

os.environ.setdefault("MPLBACKEND", "Agg")  # if matplotlib is installed, never open a window

NOTEBOOKS = pathlib.Path(__file__).resolve().parent.parent / "notebooks"


def test_tour_notebook_is_current_and_runs(capsys):
    import importlib.util
    spec = importlib.util.spec_from_file_location("make_tour", NOTEBOOKS / "make_tour.py")
    make_tour = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_tour)
    stored = json.loads((NOTEBOOKS / "tour.ipynb").read_text(encoding="utf-8"))
    assert stored == make_tour.notebook(), "notebooks/tour.ipynb is stale: run python notebooks/make_tour.py"
    namespace = {}
    for cell in stored["cells"]:
        if cell["cell_type"] == "code":
            exec(compile("".join(cell["source"]), "<tour>", "exec"), namespace)
    printed = capsys.readouterr().out
    assert "softplus" in printed and "800.0 inf" in printed
    assert namespace["np"].mean(namespace["err_symgraph"]) < 1.0 < namespace["np"].mean(namespace["err_lambdify"])
