"""From an export to canonical contacts and activities: contract, joins, formats."""
