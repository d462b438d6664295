"""One module per use case (train, predict, evaluate, registry, scorecards, data): the layer
that reads inputs, calls the pure core and writes or logs. The API re-exports these; the CLI
and the notebook call the API."""
