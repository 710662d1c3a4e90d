"""The one way the addon writes records past create(), for the many rows of an import: create()
of the same rows, 1,000 at a time and quiet, takes the returns import 1.3 times as long (the
figures are in the README, with its benchmark)."""

from odoo.tools import SQL, float_round

# Columns the ORM writes itself.
LOG_ACCESS_FIELDS = ("create_uid", "create_date", "write_uid", "write_date")


def insert_records(model, values_list):
    """Records of `model` inserted in one query, as create() would make them but without its
    work per record: the many rows of an import. Each dict of `values_list` gives the same
    stored fields, as plain values (no x2many commands); defaults fill the other stored fields,
    and the stored computed fields are computed for all the records at once.

    What create() does besides is the caller's to do or to make unnecessary: the overrides of
    create() do not run, nor do the checks of @api.constrains and of check_company, nor access
    rights and record rules; mail.thread logs no creation and subscribes no one. PostgreSQL
    still enforces the SQL constraints and the required columns. The tests check that what the
    returns import writes this way holds every constraint of its models."""
    if not values_list:
        return model.browse()
    given = list(values_list[0])
    stored = [
        field
        for name, field in model._fields.items()
        if field.store and field.column_type and name != "id" and name not in given
    ]
    defaults = model.default_get(
        [
            field.name
            for field in stored
            if not field.compute and field.name not in LOG_ACCESS_FIELDS
        ]
    )
    now = model.env.cr.now()
    common = {
        **defaults,
        "create_uid": model.env.uid,
        "create_date": now,
        "write_uid": model.env.uid,
        "write_date": now,
    }
    # The same for every row: converted as create() converts.
    common_row = tuple(
        model._fields[name].convert_to_column_insert(value, model) for name, value in common.items()
    )
    names = given + list(common)
    converters = [(name, _column_converter(model, model._fields[name])) for name in given]
    rows = [
        tuple(convert(values[name]) for name, convert in converters) + common_row
        for values in values_list
    ]
    model.env.cr.execute(
        SQL(
            "INSERT INTO %s (%s) VALUES %s RETURNING id",
            SQL.identifier(model._table),
            SQL(", ").join(SQL.identifier(name) for name in names),
            SQL(", ").join(SQL("%s", row) for row in rows),
        )
    )
    records = model.browse([row[0] for row in model.env.cr.fetchall()])
    computed = [field for field in stored if field.compute]
    for field in computed:
        model.env.add_to_compute(field, records)
    records.modified(names, create=True)
    # Computed fields given a value keep it, as in create().
    for name in given:
        if model._fields[name].compute:
            model.env.remove_to_compute(model._fields[name], records)
    # Computed at once, as for records that create() makes, which tracks no change either.
    records.with_context(tracking_disable=True)._recompute_recordset(
        [field.name for field in computed]
    )
    return records


def _column_converter(model, field):
    """A column's value from a field's plain value, as create() stores it; made once a field,
    as create()'s conversion of each value costs more than the rest of an insert."""
    if field.type == "boolean":
        return bool
    if field.type == "integer":
        return lambda value: int(value or 0)
    if field.type in ("float", "monetary"):
        # Amounts come from Amazon in their currency's precision already.
        digits = field.type == "float" and field.get_digits(model.env)
        if digits:
            return lambda value: float_round(float(value or 0.0), precision_digits=digits[1])
        return lambda value: float(value or 0.0)
    return lambda value: None if value is False or value is None else value
