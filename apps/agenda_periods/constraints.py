"""The no-double-booking guarantee as a database constraint, where the database has one."""

from django.contrib.postgres.constraints import ExclusionConstraint


class PostgresExclusionConstraint(ExclusionConstraint):
    """An exclusion constraint on PostgreSQL; nothing elsewhere.

    SQLite has no exclusion constraints: there the write path serializes its transactions
    (``BEGIN IMMEDIATE``) and checks for a clash before it writes (see ``services``).
    """

    @staticmethod
    def _supported(schema_editor) -> bool:
        return schema_editor.connection.vendor == "postgresql"

    def constraint_sql(self, model, schema_editor):
        return (
            super().constraint_sql(model, schema_editor) if self._supported(schema_editor) else None
        )

    def create_sql(self, model, schema_editor):
        return super().create_sql(model, schema_editor) if self._supported(schema_editor) else None

    def remove_sql(self, model, schema_editor):
        return super().remove_sql(model, schema_editor) if self._supported(schema_editor) else None

    def validate(self, model, instance, exclude=None, using="default"):
        from django.db import connections

        if connections[using].vendor != "postgresql":
            return
        if (
            exclude
            and self.condition
            and self._expression_refs_exclude(model, self.condition, exclude)
        ):
            # A form without ``blocking`` (the back-office's): Django would query a field it
            # was told to leave out. The calendar services judge the clash when they write.
            return
        super().validate(model, instance, exclude=exclude, using=using)
