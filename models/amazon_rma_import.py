import logging
import tempfile
from collections import defaultdict
from datetime import timedelta

from odoo import Command, api, fields, models
from odoo.exceptions import UserError

from ..amazon_api import const
from ..amazon_api.errors import AmazonError, PermanentError, ReportParseError, RetryableError
from ..amazon_api.reports import iter_returns
from ..tools import commit_unless_testing

_logger = logging.getLogger(__name__)

# RMAs looked up and written together: queries grow with chunks, not with rows.
CHUNK_SIZE = 500
FIRST_WINDOW = timedelta(days=30)
MAX_WINDOW = timedelta(days=const.RETURNS_REPORT_MAX_DAYS)
# Amazon may list a return requested just before a window's end only in a later report.
WINDOW_OVERLAP = timedelta(days=1)
# No new report is asked for when the last window ended less than this ago.
MIN_WINDOW_GAP = timedelta(hours=1)
REPORT_POLL_DELAY = timedelta(minutes=2)
IMPORT_RESULTS = [
    ("created", "Created"),
    ("updated", "Updated"),
    ("skipped", "Skipped"),
    ("failed", "Failed"),
]
# RMA fields an import sets; a later report that changes one of them updates the RMA (S16).
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


class AmazonRmaImport(models.Model):
    _name = "amazon.rma.import"
    _inherit = ["amazon.sequence.mixin"]
    _description = "Amazon Returns Import"
    _order = "id desc"
    _check_company_auto = True

    source = fields.Selection(
        [("manual", "File"), ("scheduled", "Scheduled")], required=True, readonly=True
    )
    state = fields.Selection(
        [("pending", "Waiting for Amazon"), ("done", "Done"), ("failed", "Failed")],
        string="Status",
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    seller_account_id = fields.Many2one(
        "amazon.seller.account",
        string="Seller Account",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
        check_company=True,
    )
    company_id = fields.Many2one(related="seller_account_id.company_id", store=True, index=True)
    user_id = fields.Many2one(
        "res.users", string="Imported By", default=lambda self: self.env.user, readonly=True
    )
    file_name = fields.Char(readonly=True)
    attachment_id = fields.Many2one("ir.attachment", string="File", readonly=True)
    date_from = fields.Datetime(string="Returns From", readonly=True)
    date_to = fields.Datetime(string="Returns Until", readonly=True)
    amazon_report_id = fields.Char(string="Amazon Report ID", readonly=True)
    done_at = fields.Datetime(string="Imported At", readonly=True)
    message = fields.Text(readonly=True)
    created_count = fields.Integer(string="Created", readonly=True)
    updated_count = fields.Integer(string="Updated", readonly=True)
    skipped_count = fields.Integer(string="Skipped", readonly=True)
    failed_count = fields.Integer(string="Failed", readonly=True)
    line_ids = fields.One2many("amazon.rma.import.line", "import_id", string="Rows")

    def action_view_rmas(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "amazon_refund_cancel.amazon_rma_action"
        )
        action["domain"] = [("id", "in", self.line_ids.rma_id.ids)]
        action["context"] = {}
        return action

    # -- importing a file ----------------------------------------------------------------------

    def _import_file(self, source, encoding=None):
        """Import a returns report (bytes or binary file): every good RMA of it, or nothing at
        all when the file cannot be read."""
        self.ensure_one()
        importer = _ReturnsImporter(self)
        try:
            with self.env.cr.savepoint():
                importer.run(iter_returns(source, encoding=encoding))
        except ReportParseError as error:
            self.write(
                {
                    "state": "failed",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._(
                        "The file cannot be read, so nothing was imported: %(error)s",
                        error=error,
                    ),
                }
            )
            return False
        self.write(
            {
                "state": "done",
                "done_at": fields.Datetime.now(),
                **{f"{result}_count": count for result, count in importer.counts.items()},
            }
        )
        return True

    # -- scheduled import ----------------------------------------------------------------------

    @api.model
    def _cron_import_returns(self):
        """S10: each account of the companies that import RMAs catches up with Amazon's returns."""
        accounts = self.env["amazon.seller.account"].search(
            [("company_id.amazon_import_rma_report", "=", True)], order="company_id, id"
        )
        done = 0
        for company, company_accounts in accounts.grouped("company_id").items():
            for account in company_accounts.with_company(company):
                self.with_company(company)._import_account_returns(account)
                commit_unless_testing(self.env)
                done += 1
                self.env["ir.cron"]._notify_progress(done=done, remaining=len(accounts) - done)

    @api.model
    def _import_account_returns(self, account):
        """Request, follow and import the account's returns reports, one window after another,
        as far as Amazon has them ready; come back later for a report still in the works."""
        while True:
            pending = self.search(
                [("seller_account_id", "=", account.id), ("state", "=", "pending")],
                order="id",
                limit=1,
            )
            try:
                client = account._amazon_client()
                if not pending:
                    pending = self._request_next_window(account, client)
                    if not pending:
                        return
                    commit_unless_testing(self.env)
                if not pending._follow_report(client):
                    return
            except (AmazonError, UserError) as error:
                pending._amazon_error(account, error)
                return
            commit_unless_testing(self.env)

    def _amazon_error(self, account, error):
        """Record why the import of `account` stopped; a failed import is asked for anew on the
        next run, a retryable one is tried again soon."""
        message = str(error.args[0] if isinstance(error, UserError) else error)
        _logger.info("Amazon returns import of account %s: %s", account.id, message)
        if not self:
            self.create(
                {
                    "source": "scheduled",
                    "seller_account_id": account.id,
                    "state": "failed",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._(
                        "Amazon did not take the request for the returns report: %(error)s",
                        error=message,
                    ),
                }
            )
        elif isinstance(error, (PermanentError, UserError)):
            self.write({"state": "failed", "done_at": fields.Datetime.now(), "message": message})
        else:
            self.message = message
        if isinstance(error, RetryableError):
            self._trigger_import(fields.Datetime.now() + REPORT_POLL_DELAY)

    @api.model
    def _request_next_window(self, account, client):
        """Ask Amazon for the returns since the last import; None when that was just now."""
        now = fields.Datetime.now()
        until = account.rma_imported_until
        if not until:
            start = now - FIRST_WINDOW
        elif now - until < MIN_WINDOW_GAP:
            return None
        else:
            start = until - WINDOW_OVERLAP
        end = min(start + MAX_WINDOW, now)
        report_id = client.request_report(const.REPORT_RETURNS_FLAT, start, end)
        return self.create(
            {
                "source": "scheduled",
                "seller_account_id": account.id,
                "date_from": start,
                "date_to": end,
                "amazon_report_id": report_id,
            }
        )

    def _follow_report(self, client):
        """Import the report if Amazon made it; True when the next window may follow at once."""
        self.ensure_one()
        report = client.get_report(self.amazon_report_id)
        if report.status == const.REPORT_DONE:
            with tempfile.TemporaryFile() as handle:
                charset = client.download_report(
                    report.document_id, handle, const.REPORT_RETURNS_FLAT
                )
                handle.seek(0)
                imported = self._import_file(handle, encoding=charset)
        elif report.status == const.REPORT_CANCELLED:
            # Amazon cancels a report that has no data.
            self.write(
                {
                    "state": "done",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._("Amazon had no return in this period."),
                }
            )
            imported = True
        elif report.status == const.REPORT_FATAL:
            self.write(
                {
                    "state": "failed",
                    "done_at": fields.Datetime.now(),
                    "message": self.env._(
                        "Amazon could not make the returns report; the next run asks again."
                    ),
                }
            )
            return False
        else:
            self._trigger_import(fields.Datetime.now() + REPORT_POLL_DELAY)
            return False
        if imported:
            self.seller_account_id.rma_imported_until = self.date_to
        return imported

    @api.model
    def _trigger_import(self, at=None):
        self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_returns")._trigger(at)


class _ReturnsImporter:
    """One pass over a returns report for an import log: RMAs merged by Amazon RMA ID and
    applied a chunk at a time, each outcome written as a row of the log."""

    def __init__(self, log):
        self.log = log
        self.env = log.env
        self.account = log.seller_account_id
        self.company = self.account.company_id
        self.counts = dict.fromkeys(("created", "updated", "skipped", "failed"), 0)
        # Amazon RMA ID -> the amazon.rma id this import made or updated, or 0 if it did not.
        self.seen = {}
        self.boms = {}
        self.components = {}
        self.rows = []
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

    # -- one chunk -----------------------------------------------------------------------------

    def _apply(self, records):
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
                )
            elif record.returnless and skip_returnless:
                self._row(
                    record,
                    "skipped",
                    self.env._("Returnless refund: the company makes no RMA for these."),
                )
            else:
                candidates.append(record)
        if candidates:
            self._apply_candidates(candidates)
        self.env["amazon.rma.import.line"].create(self.rows)
        # Bounded memory whatever the size of the report.
        self.env.flush_all()
        self.env.invalidate_all()

    def _apply_candidates(self, records):
        Rma = self.env["amazon.rma"]
        orders = self.env["sale.order"].search_fetch(
            [
                ("amazon_seller_account_id", "=", self.account.id),
                ("amazon_order_number", "in", list({record.order_id for record in records})),
            ],
            # The RMAs' customer, company and currency come from their order.
            ["amazon_order_number", "partner_id", "company_id", "currency_id"],
        )
        order_by_number = {order.amazon_order_number: order for order in orders}
        order_lines = self.env["sale.order.line"].search_fetch(
            [("order_id", "in", orders.ids), ("display_type", "=", False)],
            ["order_id", "product_id"],
            order="sequence, id",
        )
        order_lines.product_id.fetch(["default_code", "uom_id"])
        line_by_sku = {}
        for line in order_lines:
            line_by_sku.setdefault((line.order_id.id, line.product_id.default_code), line)
        self._load_boms(order_lines.product_id)
        existing = Rma.search_fetch(
            [
                ("seller_account_id", "=", self.account.id),
                ("amazon_rma_id", "in", [record.amazon_rma_id for record in records]),
            ],
            [*HEADER_FIELDS, "amazon_rma_id", "state"],
        )
        existing.line_ids.fetch(LINE_FIELDS)
        existing.picking_ids.fetch(["state"])
        rma_by_id = {rma.amazon_rma_id: rma for rma in existing}

        to_create = []
        for record in records:
            earlier = self.seen.get(record.amazon_rma_id)
            if earlier == 0:
                self._row(
                    record,
                    "skipped",
                    self.env._("More rows of an RMA not imported from this file (see above)."),
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
                )
                continue
            rma = rma_by_id.get(record.amazon_rma_id)
            first_sequence = 1
            if earlier:
                first_sequence = max(rma.line_ids.mapped("sequence"), default=0) + 1
            line_values, unknown = self._line_values(record, order, line_by_sku, first_sequence)
            if unknown:
                self._fail(
                    record,
                    self.env._(
                        "SKU %(skus)s is not on Amazon order %(order)s in Odoo.",
                        skus=", ".join(unknown),
                        order=record.order_id,
                    ),
                )
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
                )
            else:
                values = self._header_values(record, order)
                values["line_ids"] = [Command.create(vals) for vals in line_values]
                to_create.append((record, values))
        if to_create:
            self._create(to_create)

    def _create(self, to_create):
        rmas = (
            self.env["amazon.rma"]
            .with_context(tracking_disable=True)
            .create([values for _record, values in to_create])
        )
        rmas._message_log_batch(
            bodies={
                rma.id: self.env._(
                    "Created from Amazon's returns report by import %(import)s.",
                    **{"import": self.log.name},
                )
                for rma in rmas
            }
        )
        rmas.filtered("tracking_number")._log_tracking_note()
        for (record, _values), rma in zip(to_create, rmas, strict=True):
            self._row(record, "created", False, rma)

    def _update(self, rma, record, values, line_values):
        changes = {name: value for name, value in values.items() if _differs(rma[name], value)}
        lines_differ = _line_keys(rma.line_ids) != sorted(map(_values_key, line_values))
        if not changes and not lines_differ:
            self.seen[record.amazon_rma_id] = rma.id
            self.counts["skipped"] += 1
            if self.list_unchanged:
                self.rows.append(
                    self._row_values(
                        record, "skipped", self.env._("Already imported, unchanged."), rma
                    )
                )
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
            "amazon_rma_id": record.amazon_rma_id,
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
        }

    def _line_values(self, record, order, line_by_sku, first_sequence):
        """RMA line values of a record's items (a kit's components in its stead), and the SKUs
        that are not on the order."""
        values, unknown = [], []
        for sequence, item in enumerate(record.items, start=first_sequence):
            line = line_by_sku.get((order.id, item.sku))
            if not line:
                unknown.append(item.sku)
                continue
            common = {
                "sequence": sequence,
                "order_line_id": line.id,
                "sold_quantity": item.quantity,
                "reason": item.reason or False,
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
        return values, unknown

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

    def _fail(self, record, reason):
        self.seen[record.amazon_rma_id] = 0
        self._row(record, "failed", reason)

    def _row(self, record, result, reason, rma=None):
        if result in ("created", "updated"):
            self.seen[record.amazon_rma_id] = rma.id
        else:
            self.seen.setdefault(record.amazon_rma_id, 0)
        self.counts[result] += 1
        self.rows.append(self._row_values(record, result, reason, rma))

    def _row_values(self, record, result, reason, rma=None):
        return {
            "import_id": self.log.id,
            "file_line": record.line or 0,
            "amazon_rma_id": record.amazon_rma_id,
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
