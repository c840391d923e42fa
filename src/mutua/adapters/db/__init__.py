"""The database adapter: schema, migrations, engine and unit of work."""
