"""Funding shares of one profile may not add up to more than 100 %.

A CHECK constraint sees one row at a time, so the sum is enforced by a trigger, written for
each database the project supports. Violations surface as IntegrityError.
"""

from django.db import migrations

SQLITE_CREATE = [
    """
    CREATE TRIGGER criteria_funding_shares_insert
    BEFORE INSERT ON criteria_fundingsource
    WHEN (SELECT COALESCE(SUM(share_percent), 0) FROM criteria_fundingsource
          WHERE profile_id = NEW.profile_id) + COALESCE(NEW.share_percent, 0) > 100
    BEGIN SELECT RAISE(ABORT, 'funding shares of a profile exceed 100 percent'); END;
    """,
    """
    CREATE TRIGGER criteria_funding_shares_update
    BEFORE UPDATE OF share_percent, profile_id ON criteria_fundingsource
    WHEN (SELECT COALESCE(SUM(share_percent), 0) FROM criteria_fundingsource
          WHERE profile_id = NEW.profile_id AND id <> OLD.id) + COALESCE(NEW.share_percent, 0) > 100
    BEGIN SELECT RAISE(ABORT, 'funding shares of a profile exceed 100 percent'); END;
    """,
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS criteria_funding_shares_insert;",
    "DROP TRIGGER IF EXISTS criteria_funding_shares_update;",
]

POSTGRES_CREATE = [
    """
    CREATE FUNCTION criteria_check_funding_shares() RETURNS trigger AS $$
    DECLARE total numeric;
    BEGIN
        -- Lock the profile so two concurrent inserts cannot both pass the check.
        PERFORM 1 FROM criteria_officeprofile WHERE id = NEW.profile_id FOR UPDATE;
        SELECT COALESCE(SUM(share_percent), 0) INTO total FROM criteria_fundingsource
         WHERE profile_id = NEW.profile_id AND id IS DISTINCT FROM NEW.id;
        IF total + COALESCE(NEW.share_percent, 0) > 100 THEN
            RAISE EXCEPTION 'funding shares of a profile exceed 100 percent'
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql;
    """,
    """
    CREATE TRIGGER criteria_funding_shares
    BEFORE INSERT OR UPDATE OF share_percent, profile_id ON criteria_fundingsource
    FOR EACH ROW EXECUTE FUNCTION criteria_check_funding_shares();
    """,
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS criteria_funding_shares ON criteria_fundingsource;",
    "DROP FUNCTION IF EXISTS criteria_check_funding_shares();",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        statements = statements_by_vendor.get(schema_editor.connection.vendor)
        if statements is None:
            raise RuntimeError(
                f"No funding-share trigger for {schema_editor.connection.vendor}; "
                "OVP Assess supports SQLite and PostgreSQL."
            )
        for sql in statements:
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("criteria", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_CREATE, "postgresql": POSTGRES_CREATE}),
            _run({"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP}),
        ),
    ]
