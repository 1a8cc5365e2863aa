"""The default optimization pipeline (placeholder until the rewrite engine lands)."""


def optimize(graph, options=True):
    return graph, []
