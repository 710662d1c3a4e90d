"""One pass over a returns report for an import log, kept apart from the log's model: RMAs merged
by Amazon RMA ID and applied a chunk at a time, outcomes written as rows of the log."""

from collections import defaultdict

from markupsafe import Markup

from odoo import Command, models
from odoo.tools.mail import generate_tracking_message_id

from .bulk_insert import insert_records

# RMAs looked up and written together: queries grow with chunks, not with rows.
CHUNK_SIZE = 1000
# Rows of the log listed per reason; beyond them the log only counts, so that a huge file of
# failures keeps a small log.
ROWS_PER_REASON = 100
# RMA fields an import sets; a later report that changes one of them updates the RMA.
HEADER_FIELDS = (
    "order_id",
    "request_date",
    "a_to_z_claim",
    "returnless",
    "label_type",
    "label_cost",
    "label_paid_by",
    "return_reason",
    "tracking_number",
    "carrier",
    "amazon_delivery_date",
    "amazon_resolution",
    "amazon_refunded_amount",
    "safet_action_reason",
    "safet_claim_ref",
    "safet_claim_state",
    "safet_claim_date",
    "safet_reimbursed_amount",
)
LINE_FIELDS = (
    "sequence",
    "product_id",
    "quantity",
    "order_line_id",
    "kit_product_id",
    "sold_quantity",
    "reason",
    "in_policy",
)


class ReturnsImporter:
    """One pass over a returns report for an import log: RMAs merged by Amazon RMA ID and
    applied a chunk at a time, each outcome written as a row of the log."""

    def __init__(self, log, on_chunk=None):
        self.log = log
        self.env = log.env
        self.account = log.seller_account_id
        self.company = self.account.company_id
        self.counts = dict.fromkeys(("created", "updated", "skipped", "failed"), 0)
        # Rows of the log per reason, and those counted but not listed.
        self.listed = defaultdict(int)
        self.unlisted = defaultdict(int)
        # Amazon RMA ID -> the amazon.rma id this import made or updated, or 0 if it did not.
        self.seen = {}
        self.boms = {}
        self.components = {}
        self.rows = []
        # RMAs of the chunk whose report says Amazon refunded the buyer: for their ledgers.
        self.refunded_rmas = set()
        # Return reason code -> its reason, for the chunk being applied.
        self.reasons = {}
        # Called after each chunk, e.g. to show the progress of a background import.
        self.on_chunk = on_chunk
        # Overlapping scheduled windows bring every RMA back: count those, list the rest.
        self.list_unchanged = log.source == "manual"

    def run(self, records):
        chunk = {}
        for record in records:
            merged = chunk.get(record.amazon_rma_id)
            if merged:
                merged.items.extend(record.items)
                continue
            if len(chunk) >= CHUNK_SIZE:
                self._apply(list(chunk.values()))
                chunk = {}
            chunk[record.amazon_rma_id] = record
        if chunk:
            self._apply(list(chunk.values()))

    def summary(self):
        """What the log counted without listing, by reason; empty when it lists every row."""
        return [
            self.env._(
                "%(count)s more rows (only the first %(listed)s of each reason are listed): "
                "%(reason)s.",
                count=count,
                listed=ROWS_PER_REASON,
                reason=self._reason_labels()[kind],
            )
            for kind, count in self.unlisted.items()
        ]

    def _reason_labels(self):
        return {
            "status": self.env._("not approved at Amazon"),
            "returnless": self.env._("returnless refunds, for which the company makes no RMA"),
            "more_rows": self.env._("more rows of RMAs not imported"),
            "unknown_order": self.env._("orders that are not in Odoo"),
            "unknown_sku": self.env._("SKUs that are not on their order"),
            "quantity": self.env._("return quantities not positive or above what shipped"),
            "other_order": self.env._("RMAs recorded for another order"),
            "a_to_z": self.env._("A-to-z guarantee claims"),
            "unchanged": self.env._("already imported, unchanged"),
        }

    # -- one chunk -----------------------------------------------------------------------------

    def _apply(self, records):
        # A chunk is applied whole or not at all: an unexpected error leaves the chunks before
        # it intact, for the log to say how far the import came.
        with self.env.cr.savepoint():
            self._apply_chunk(records)
        if self.on_chunk:
            self.on_chunk(self)

    def _apply_chunk(self, records):
        self.rows = []
        candidates = []
        skip_returnless = self.company.amazon_skip_returnless_rma
        for record in records:
            status = (record.status or "").strip()
            if record.amazon_rma_id in self.seen:
                candidates.append(record)
            elif status.lower() != "approved":
                self._row(
                    record,
                    "skipped",
                    self.env._(
                        "Status %(status)s at Amazon: only approved returns make RMAs.",
                        status=status or "?",
                    ),
                    kind="status",
                )
            elif record.returnless and skip_returnless:
                self._row(
                    record,
                    "skipped",
                    self.env._("Returnless refund: the company makes no RMA for these."),
                    kind="returnless",
                )
            else:
                candidates.append(record)
        if candidates:
            self._apply_candidates(candidates)
        insert_records(self.env["amazon.rma.import.line"], self.rows)
        # Bounded memory whatever the size of the report.
        self.env.flush_all()
        self.env.invalidate_all()
        if self.refunded_rmas:
            # Read back as inserted: their ledgers learn what Amazon refunded.
            self.env["amazon.rma"].browse(self.refunded_rmas)._amazon_record_report_refund()
            self.refunded_rmas = set()
            self.env.flush_all()
            self.env.invalidate_all()

    def _apply_candidates(self, records):
        Rma = self.env["amazon.rma"]
        # The chunk's return reasons at once, the unseen ones made in one create.
        self.reasons = self.env["amazon.return.reason"]._amazon_resolve(
            {item.reason for record in records for item in record.items if item.reason}
        )
        orders = self.env["sale.order"].search_fetch(
            [
                ("amazon_seller_account_id", "=", self.account.id),
                ("amazon_order_number", "in", list({record.order_id for record in records})),
            ],
            # The RMAs' customer, company and currency come from their order.
            ["amazon_order_number", "partner_id", "company_id", "currency_id"],
        )
        order_by_number = {order.amazon_order_number: order for order in orders}
        orders.fetch(["amazon_fulfillment"])
        order_lines = self.env["sale.order.line"].search_fetch(
            [("order_id", "in", orders.ids), ("display_type", "=", False)],
            ["order_id", "product_id", "product_uom_qty", "qty_delivered"],
            order="sequence, id",
        )
        order_lines.product_id.fetch(["default_code", "uom_id"])
        # The shipped units of each item, from its ledger: the chunk's ledgers in one go.
        self.env["amazon.item.ledger"]._for_lines(order_lines)
        line_by_sku = {}
        for line in order_lines:
            line_by_sku.setdefault((line.order_id.id, line.product_id.default_code), line)
        self._load_boms(order_lines.product_id)
        existing = Rma.search_fetch(
            [
                ("seller_account_id", "=", self.account.id),
                ("amazon_rma_number", "in", [record.amazon_rma_id for record in records]),
            ],
            [*HEADER_FIELDS, "amazon_rma_number", "state"],
        )
        existing.line_ids.fetch(LINE_FIELDS)
        existing.picking_ids.fetch(["state"])
        rma_by_id = {rma.amazon_rma_number: rma for rma in existing}

        to_create = []
        for record in records:
            earlier = self.seen.get(record.amazon_rma_id)
            if earlier == 0:
                self._row(
                    record,
                    "skipped",
                    self.env._("More rows of an RMA not imported from this file (see above)."),
                    kind="more_rows",
                )
                continue
            order = order_by_number.get(record.order_id)
            if not order:
                self._fail(
                    record,
                    self.env._(
                        "Amazon order %(order)s is not an order of account %(account)s in Odoo.",
                        order=record.order_id,
                        account=self.account.name,
                    ),
                    kind="unknown_order",
                )
                continue
            rma = rma_by_id.get(record.amazon_rma_id)
            first_sequence = 1
            if earlier:
                first_sequence = max(rma.line_ids.mapped("sequence"), default=0) + 1
            line_values, unknown, bad_quantities = self._line_values(
                record, order, line_by_sku, first_sequence
            )
            if unknown:
                self._fail(
                    record,
                    self.env._(
                        "SKU %(skus)s is not on Amazon order %(order)s in Odoo.",
                        skus=", ".join(unknown),
                        order=record.order_id,
                    ),
                    kind="unknown_sku",
                )
            elif bad_quantities:
                self._fail(record, " ".join(bad_quantities), kind="quantity")
            elif earlier:
                self._add_items(rma, record, line_values)
            elif rma and rma.order_id != order:
                self._fail(
                    record,
                    self.env._(
                        "RMA %(rma)s is already recorded for order %(order)s.",
                        rma=rma.display_name,
                        order=rma.order_id.name,
                    ),
                    kind="other_order",
                )
            elif rma:
                self._update(rma, record, self._header_values(record, order), line_values)
            elif record.a_to_z_claim:
                # Amazon decides an A-to-z claim and refunds the buyer itself: a refund from an
                # RMA could pay twice. An RMA imported before the claim is flagged instead.
                self._row(
                    record,
                    "skipped",
                    self.env._("A-to-z guarantee claim: Amazon decides the refund."),
                    kind="a_to_z",
                )
            else:
                # Related fields given at once: cheaper than the ORM's computation of them.
                header = self._header_values(record, order) | {
                    "company_id": self.company.id,
                    "partner_id": order.partner_id.id,
                }
                to_create.append((record, header, line_values))
        if to_create:
            self._create(to_create)

    def _create(self, to_create):
        """Insert the chunk's new RMAs, their lines and their notes: create() and a chatter
        message cost more per RMA than all the rest of an import."""
        rmas = insert_records(
            self.env["amazon.rma"], [header for _record, header, _lines in to_create]
        )
        insert_records(
            self.env["amazon.rma.line"],
            [
                {**line, "rma_id": rma.id, "company_id": self.company.id}
                for rma, (_record, _header, lines) in zip(rmas, to_create, strict=True)
                for line in lines
            ],
        )
        # Inserted after their RMAs: what the RMAs compute from their lines, computed again.
        rmas.invalidate_recordset(["line_ids"])
        rmas.modified(["line_ids"])
        created = self.env._(
            "Created from Amazon's returns report by import %(import)s.",
            **{"import": self.log.name},
        )
        # One note per RMA, with the label's tracking number.
        self._log_notes(
            rmas,
            [
                f"{created} {rma._tracking_note()}" if rma.tracking_number else created
                for rma in rmas
            ],
        )
        for (record, header, _lines), rma in zip(to_create, rmas, strict=True):
            self._row(record, "created", False, rma)
            if header["returnless"] or header["amazon_refunded_amount"] > 0:
                self.refunded_rmas.add(rma.id)

    def _log_notes(self, records, texts):
        """Log notes on `records` as their chatter's _message_log_batch() does, in one insert."""
        author = self.env.user.partner_id
        email_from = author.email_formatted
        common = {
            "author_id": author.id,
            "email_from": email_from,
            "model": records._name,
            "message_type": "comment",
            "is_internal": True,
            "subtype_id": self.env["ir.model.data"]._xmlid_to_res_id("mail.mt_note"),
            "email_add_signature": False,
            "message_id": generate_tracking_message_id("message-notify"),
            "reply_to": self.env["mail.thread"]._notify_get_reply_to(
                default=author.email_formatted
            )[False],
        }
        insert_records(
            self.env["mail.message"].sudo(),
            [
                {**common, "res_id": record.id, "body": Markup("<p>%s</p>") % text}
                for record, text in zip(records, texts, strict=True)
            ],
        )

    def _update(self, rma, record, values, line_values):
        changes = {name: value for name, value in values.items() if _differs(rma[name], value)}
        lines_differ = _line_keys(rma.line_ids) != sorted(map(_values_key, line_values))
        if not changes and not lines_differ:
            self.seen[record.amazon_rma_id] = rma.id
            if self.list_unchanged:
                self._row(
                    record, "skipped", self.env._("Already imported, unchanged."), rma, "unchanged"
                )
            else:
                self.counts["skipped"] += 1
            return
        lines_kept = False
        if lines_differ:
            if rma.state == "open" and not rma.picking_ids:
                changes["line_ids"] = [Command.delete(line.id) for line in rma.line_ids] + [
                    Command.create(vals) for vals in line_values
                ]
            else:
                lines_kept = True
        rma.write(changes)
        if "tracking_number" in changes and rma.tracking_number:
            rma._log_tracking_note()
        # The items may have changed, which the write did not follow.
        rma._amazon_follow_safet()
        reasons = []
        labels = [rma._fields[name].string for name in changes if name != "line_ids"]
        if "line_ids" in changes:
            labels.append(self.env._("items"))
        if labels:
            reasons.append(self.env._("Changed: %(fields)s.", fields=", ".join(labels)))
        if lines_kept:
            kept = self.env._(
                "Amazon now lists other items for this return. The lines were kept, because "
                "the return is already being processed: please check them."
            )
            rma._message_log_batch(bodies={rma.id: kept})
            reasons.append(kept)
        self._row(record, "updated", " ".join(reasons), rma)

    def _add_items(self, rma, record, line_values):
        """More rows of an RMA this import already applied, further down the file."""
        if rma.state == "open" and not rma.picking_ids:
            rma.write({"line_ids": [Command.create(vals) for vals in line_values]})
        self._row(
            record,
            "updated",
            self.env._("More items of this RMA, further down the file."),
            rma,
        )

    # -- values --------------------------------------------------------------------------------

    def _header_values(self, record, order):
        reasons = dict.fromkeys(item.reason for item in record.items if item.reason)
        return {
            "amazon_rma_number": record.amazon_rma_id,
            "seller_account_id": self.account.id,
            "order_id": order.id,
            "request_date": record.request_date or False,
            "a_to_z_claim": record.a_to_z_claim,
            "returnless": record.returnless,
            "label_type": record.label_type or False,
            "label_cost": float(record.label_cost or 0),
            "label_paid_by": record.label_paid_by or False,
            "return_reason": ", ".join(reasons) or False,
            "tracking_number": record.tracking_id or False,
            "carrier": record.carrier or False,
            "amazon_delivery_date": record.delivery_date or False,
            "amazon_resolution": record.resolution or False,
            "amazon_refunded_amount": float(record.refunded_amount or 0),
            "safet_action_reason": record.safet_action_reason or False,
            "safet_claim_ref": record.safet_claim_id or False,
            "safet_claim_state": record.safet_claim_state or False,
            "safet_claim_date": record.safet_claim_created_at or False,
            "safet_reimbursed_amount": float(record.safet_reimbursement_amount or 0),
        }

    def _line_values(self, record, order, line_by_sku, first_sequence):
        """RMA line values of a record's items (a kit's components in its stead), the SKUs that
        are not on the order, and what is wrong with the items' quantities."""
        values, unknown, bad_quantities = [], [], []
        reasons_none = self.env["amazon.return.reason"]
        for sequence, item in enumerate(record.items, start=first_sequence):
            line = line_by_sku.get((order.id, item.sku))
            if not line:
                unknown.append(item.sku)
                continue
            shipped = line._amazon_quantity_shipped()
            if item.quantity <= 0:
                bad_quantities.append(
                    self.env._(
                        "SKU %(sku)s: a return quantity of %(quantity)s is not a positive number.",
                        sku=item.sku,
                        quantity=item.quantity,
                    )
                )
                continue
            if item.quantity > shipped:
                # Given as a name: Odoo's term extractor cannot read an f-string argument.
                shipped_units = f"{shipped:g}"
                bad_quantities.append(
                    self.env._(
                        "SKU %(sku)s: %(quantity)s returned, but only %(shipped)s shipped on "
                        "Amazon order %(order)s.",
                        sku=item.sku,
                        quantity=item.quantity,
                        shipped=shipped_units,
                        order=record.order_id,
                    )
                )
                continue
            common = {
                "sequence": sequence,
                "order_line_id": line.id,
                "sold_quantity": item.quantity,
                "reason": item.reason or False,
                "reason_id": self.reasons.get((item.reason or "").strip(), reasons_none).id,
                "in_policy": bool(item.in_policy),
            }
            components = self._kit_components(line.product_id, item.quantity)
            if components is None:
                values.append(
                    common
                    | {
                        "product_id": line.product_id.id,
                        "quantity": item.quantity,
                        "kit_product_id": False,
                    }
                )
                continue
            for product_id, quantity in components:
                values.append(
                    common
                    | {
                        "product_id": product_id,
                        "quantity": quantity,
                        "kit_product_id": line.product_id.id,
                    }
                )
        return values, unknown, bad_quantities

    def _load_boms(self, products):
        """Find the kits among `products` (one query for all the new ones), if mrp is there."""
        if "mrp.bom" not in self.env:
            return
        new = products.filtered(lambda product: product.id not in self.boms)
        if not new:
            return
        # Amazon users need not read bills of materials to import returns.
        found = (
            self.env["mrp.bom"]
            .sudo()
            ._bom_find(new, company_id=self.company.id, bom_type="phantom")
        )
        for product in new:
            self.boms[product.id] = found.get(product)

    def _kit_components(self, product, quantity):
        """[(component id, quantity)] of `quantity` kits, nested kits exploded; None if no kit."""
        bom = self.boms.get(product.id)
        if not bom:
            return None
        key = (product.id, quantity)
        if key not in self.components:
            factor = product.uom_id._compute_quantity(quantity, bom.product_uom_id)
            _boms, lines = bom.explode(product, factor / bom.product_qty)
            components = defaultdict(float)
            for bom_line, data in lines:
                components[bom_line.product_id.id] += bom_line.product_uom_id._compute_quantity(
                    data["qty"], bom_line.product_id.uom_id
                )
            self.components[key] = list(components.items())
        return self.components[key]

    # -- log rows ------------------------------------------------------------------------------

    def _fail(self, record, reason, kind):
        self.seen[record.amazon_rma_id] = 0
        self._row(record, "failed", reason, kind=kind)

    def _row(self, record, result, reason, rma=None, kind=None):
        """Count a row's outcome and list it, unless `kind` of reason has rows enough listed."""
        if result in ("created", "updated"):
            self.seen[record.amazon_rma_id] = rma.id
        else:
            self.seen.setdefault(record.amazon_rma_id, 0)
        self.counts[result] += 1
        if kind:
            if self.listed[kind] >= ROWS_PER_REASON:
                self.unlisted[kind] += 1
                return
            self.listed[kind] += 1
        self.rows.append(self._row_values(record, result, reason, rma))

    def _row_values(self, record, result, reason, rma=None):
        return {
            "import_id": self.log.id,
            "company_id": self.company.id,
            "file_line": record.line or 0,
            "amazon_rma_number": record.amazon_rma_id,
            "amazon_order_number": record.order_id,
            "result": result,
            "reason": reason or False,
            "rma_id": rma.id if rma else False,
        }


def _differs(current, value):
    if isinstance(current, models.BaseModel):
        return current.id != (value or False)
    if isinstance(current, float):
        return round(current - value, 2) != 0
    return (current or False) != (value or False)


def _values_key(values):
    return tuple(values.get(name) or False for name in LINE_FIELDS)


def _line_keys(lines):
    return sorted(
        tuple(
            value.id or False if isinstance(value, models.BaseModel) else value or False
            for value in (line[name] for name in LINE_FIELDS)
        )
        for line in lines
    )
