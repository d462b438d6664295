"""Tables in and out (CSV, Parquet), atomic spreadsheet-safe writes, model folders."""
