"""Alembic environment for the records store.

Run through ``hub.store.upgrade()`` / ``mentorhub db upgrade``, which put the engine in
``config.attributes["engine"]``; there is no alembic.ini.
"""

from alembic import context

from hub.store.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # pragma: no cover - only when someone runs the alembic CLI by hand
    from hub.store.db import make_engine

    engine = make_engine(config.get_main_option("sqlalchemy.url"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
