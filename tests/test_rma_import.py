import codecs
import gzip
import io
import resource
import time
from unittest.mock import patch

import psycopg2

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from ..importers import bulk_insert, returns
from ..models import amazon_rma_import
from .common import AmazonCase
from .common_rma import RmaImportMixin, returns_flat_file

ORDER_1 = "114-0000001-0000001"
ORDER_2 = "114-0000002-0000001"


@tagged("post_install", "-at_install", "amazon_demo")
class TestRmaImport(RmaImportMixin, AmazonCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.plate = cls.env["product.product"].create(
            {"name": "Amazon Plate", "default_code": "PLATE-1", "is_storable": True}
        )
        cls.order_1 = cls._create_amazon_order(cls.account_a, ORDER_1)
        cls.order_2 = cls._create_amazon_order(cls.account_a, ORDER_2)
        cls.order_2.order_line = [
            Command.create(
                {"product_id": cls.plate.id, "product_uom_qty": 3, "amazon_order_item_code": "2"}
            )
        ]
        cls._ship(cls.order_1 | cls.order_2)

    @classmethod
    def _ship(cls, orders):
        """Every unit delivered, as for the returns Amazon lists."""
        for line in orders.order_line:
            line.qty_delivered = line.product_uom_qty

    def test_flat_file_makes_an_open_refund_rma(self):
        content = returns_flat_file(
            {
                "Order ID": ORDER_1,
                "Amazon RMA ID": "DRMA0001",
                "Return quantity": "2",
                "Return delivery date": "14-Jul-2025",
            }
        )
        log = self._import(content, user=self.user_a)
        self.assertEqual(log.state, "done")
        self.assertEqual((log.created_count, log.failed_count), (1, 0))
        rma = self._rmas()
        self.assertEqual(rma.amazon_rma_number, "DRMA0001")
        self.assertEqual(rma.order_id, self.order_1)
        self.assertEqual(rma.partner_id, self.customer)
        self.assertEqual(rma.company_id, self.company_a)
        self.assertEqual((rma.state, rma.resolution), ("open", "refund"))
        self.assertEqual(str(rma.request_date), "2025-07-10")
        self.assertEqual(rma.label_cost, 5.10)
        self.assertEqual(rma.label_paid_by, "Seller")
        self.assertEqual(rma.return_reason, "CR-UNWANTED_ITEM")
        self.assertFalse(rma.a_to_z_claim)
        self.assertEqual(rma.line_ids.product_id, self.product)
        self.assertEqual(rma.line_ids.quantity, 2)
        self.assertEqual(rma.line_ids.order_line_id, self.order_1.order_line)
        self.assertTrue(rma.line_ids.in_policy)
        self.assertEqual(log.line_ids.rma_id, rma)
        self.assertEqual(log.attachment_id.raw, content)
        notes = rma.message_ids.filtered(lambda m: "1Z999RETDRMA0001" in m.body)
        self.assertEqual(len(notes), 1, "the tracking number is a note on the RMA")
        self.assertIn("UPS", notes.body)
        self.assertEqual(notes.author_id, self.user_a.partner_id)
        self.assertEqual(notes.subtype_id, self.env.ref("mail.mt_note"))
        self.assertEqual(rma.message_follower_ids.partner_id, self.env["res.partner"])
        # Delivered on Monday 14 July 2025, refund due Wednesday.
        self.assertEqual(str(rma.refund_due_date), "2025-07-16")
        self.assertEqual(self.order_1.amazon_rma_count, 1)
        action = self.order_1.action_view_amazon_rmas()
        self.assertEqual(self.env["amazon.rma"].search(action["domain"]), rma)

    def test_rows_inserted_past_create_hold_their_models_constraints(self):
        """The import inserts RMAs, their lines, their notes and its log's rows past create()
        (bulk_insert.insert_records): the checks create() would have run hold for them, the
        stored related fields it gives hold what the ORM computes, and PostgreSQL's own
        constraints still apply to such rows."""
        log = self._import(
            returns_flat_file(
                {"Order ID": ORDER_1, "Amazon RMA ID": "DCHECK01", "Return quantity": "2"},
                {"Order ID": ORDER_2, "Amazon RMA ID": "DCHECK02", "Merchant SKU": "PLATE-1"},
                {"Order ID": "114-0009999-0000001", "Amazon RMA ID": "DCHECK03"},
            ),
            user=self.user_a,
        )
        rmas = self._rmas()
        self.assertEqual(sorted(rmas.mapped("amazon_rma_number")), ["DCHECK01", "DCHECK02"])
        notes = self.env["mail.message"].search(
            [("model", "=", "amazon.rma"), ("res_id", "in", rmas.ids)]
        )
        for records in (rmas, rmas.line_ids, log.line_ids, notes):
            with self.subTest(model=records._name):
                self.assertTrue(records)
                # Every @api.constrains of the model and of its extensions.
                records._validate_fields(list(records._fields))
                if records._check_company_auto:
                    records._check_company()
                for field in records._fields.values():
                    if field.store and field.related:
                        for record in records:
                            self.assertEqual(record[field.name], record.mapped(field.related))
                    if field.store and field.required:
                        self.assertTrue(all(records.mapped(field.name)), field.name)
        duplicate = {
            "amazon_rma_number": "DCHECK01",
            "seller_account_id": self.account_a.id,
            "order_id": self.order_1.id,
        }
        with (
            self.assertRaises(psycopg2.errors.UniqueViolation),
            mute_logger("odoo.sql_db"),
            self.env.cr.savepoint(),
        ):
            bulk_insert.insert_records(self.env["amazon.rma"], [duplicate])

    def test_only_approved_returns_make_rmas(self):
        log = self._import(
            returns_flat_file(
                {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0010"},
                {
                    "Order ID": ORDER_1,
                    "Amazon RMA ID": "DRMA0011",
                    "Return request status": "Pending",
                },
                {
                    "Order ID": ORDER_2,
                    "Amazon RMA ID": "DRMA0012",
                    "Return request status": "Closed",
                },
                {
                    "Order ID": ORDER_2,
                    "Amazon RMA ID": "DRMA0013",
                    "Return request status": "approved",
                },
            )
        )
        self.assertEqual(sorted(self._rmas().mapped("amazon_rma_number")), ["DRMA0010", "DRMA0013"])
        self.assertEqual((log.created_count, log.skipped_count), (2, 2))
        skipped = log.line_ids.filtered(lambda row: row.result == "skipped")
        self.assertEqual(sorted(skipped.mapped("amazon_rma_number")), ["DRMA0011", "DRMA0012"])
        self.assertIn(
            "Pending", skipped.filtered(lambda r: r.amazon_rma_number == "DRMA0011").reason
        )

    def test_same_rma_again_is_updated_never_duplicated(self):
        row = {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0020", "Tracking ID": "1ZFIRST"}
        self._import(returns_flat_file(row))
        again = self._import(returns_flat_file(row))
        rma = self._rmas()
        self.assertEqual(len(rma), 1)
        self.assertEqual((again.created_count, again.updated_count, again.skipped_count), (0, 0, 1))
        self.assertEqual(again.line_ids.reason, "Already imported, unchanged.")
        changed = self._import(
            returns_flat_file(
                row | {"Tracking ID": "1ZSECOND", "Return quantity": "2", "A-to-Z Claim": "Y"}
            )
        )
        self.assertEqual(changed.updated_count, 1)
        self.assertEqual(len(self._rmas()), 1)
        self.assertEqual(rma.tracking_number, "1ZSECOND")
        self.assertTrue(rma.a_to_z_claim)
        self.assertEqual(rma.line_ids.quantity, 2)
        self.assertIn("Tracking Number", changed.line_ids.reason)
        self._import(returns_flat_file(row | {"Tracking ID": "1ZSECOND", "Return quantity": "2"}))
        notes = rma.message_ids.filtered(lambda m: "Return label tracking number" in m.body)
        self.assertEqual(len(notes), 2, "one note per tracking number, none on re-import")

    def test_rows_of_one_rma_are_merged_even_across_chunks(self):
        rows = (
            {"Order ID": ORDER_2, "Amazon RMA ID": "DRMA0030", "Merchant SKU": "MUG-1"},
            {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0031"},
            {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0032"},
            {"Order ID": ORDER_2, "Amazon RMA ID": "DRMA0030", "Merchant SKU": "PLATE-1"},
        )
        with patch.object(returns, "CHUNK_SIZE", 2):
            log = self._import(returns_flat_file(*rows))
        rma = self._rmas().filtered(lambda r: r.amazon_rma_number == "DRMA0030")
        self.assertEqual(len(self._rmas()), 3)
        self.assertEqual(rma.line_ids.product_id, self.product | self.plate)
        self.assertEqual(log.created_count, 3)

    def test_unknown_order_and_sku_fail_and_the_rest_is_imported(self):
        log = self._import(
            returns_flat_file(
                {"Order ID": "114-9999999-0000001", "Amazon RMA ID": "DRMA0040"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0041", "Merchant SKU": "NOPE-1"},
                {"Order ID": ORDER_2, "Amazon RMA ID": "DRMA0042", "Merchant SKU": "PLATE-1"},
            )
        )
        self.assertEqual(self._rmas().amazon_rma_number, "DRMA0042")
        self.assertEqual((log.created_count, log.failed_count), (1, 2))
        reasons = {row.amazon_rma_number: row.reason for row in log.line_ids}
        self.assertIn("114-9999999-0000001 is not an order", reasons["DRMA0040"])
        self.assertIn("NOPE-1 is not on Amazon order", reasons["DRMA0041"])

    def test_rma_id_already_on_another_order_fails(self):
        self._import(returns_flat_file({"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0045"}))
        log = self._import(returns_flat_file({"Order ID": ORDER_2, "Amazon RMA ID": "DRMA0045"}))
        self.assertEqual(log.failed_count, 1)
        self.assertIn("DRMA0045 is already recorded for order", log.line_ids.reason)
        self.assertEqual(self._rmas().order_id, self.order_1)

    def test_order_of_another_account_is_unknown(self):
        self._create_amazon_order(self.account_b, "114-0000050-0000001")
        log = self._import(
            returns_flat_file({"Order ID": "114-0000050-0000001", "Amazon RMA ID": "DRMA0050"})
        )
        self.assertEqual(log.failed_count, 1)
        self.assertFalse(self.env["amazon.rma"].search([("amazon_rma_number", "=", "DRMA0050")]))

    def test_returnless_refunds_follow_the_company_setting(self):
        # As Amazon marks them: the resolution says so; return type C-Returns, no label.
        row = {
            "Order ID": ORDER_1,
            "Amazon RMA ID": "DRMA0060",
            "Label type": "",
            "Label cost": "",
            "Label to be paid by": "",
            "Tracking ID": "",
            "Return carrier": "",
            "Return type": "C-Returns",
            "Resolution": "ReturnlessRefund",
        }
        self.company_a.amazon_skip_returnless_rma = True
        log = self._import(returns_flat_file(row))
        self.assertFalse(self._rmas())
        self.assertIn("Returnless", log.line_ids.reason)
        self.company_a.amazon_skip_returnless_rma = False
        self._import(returns_flat_file(row))
        rma = self._rmas()
        self.assertTrue(rma.returnless)
        self.assertFalse(rma.message_ids.filtered(lambda m: "tracking number" in (m.body or "")))

    def test_a_to_z_claims_are_skipped_or_flagged(self):
        log = self._import(
            returns_flat_file(
                {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0070", "A-to-Z Claim": "Y"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0071"},
            )
        )
        [skipped] = log.line_ids.filtered(lambda row: row.result == "skipped")
        self.assertEqual(skipped.amazon_rma_number, "DRMA0070")
        self.assertIn("A-to-z", skipped.reason)
        self.assertEqual(self._rmas().amazon_rma_number, "DRMA0071")
        # The buyer files a claim later on an RMA already here: it is flagged, not dropped.
        self._import(
            returns_flat_file(
                {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0071", "A-to-Z Claim": "Y"}
            )
        )
        self.assertEqual(
            self.env["amazon.rma"].search([("a_to_z_claim", "=", True)]).amazon_rma_number,
            "DRMA0071",
        )

    def test_a_file_that_cannot_be_read_imports_nothing(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0080"},
            {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0081", "Return request date": "yesterday"},
        )
        log = self._import(content)
        self.assertEqual(log.state, "failed")
        self.assertFalse(self._rmas(), "nothing of a file that cannot be read is imported")
        self.assertFalse(log.line_ids)
        self.assertIn("line 3", log.message)
        self.assertIn("Return request date", log.message)

    def test_truncated_xml_imports_nothing(self):
        log = self._import(
            b"<?xml version='1.0'?><AmazonEnvelope><Message><return_details>"
            b"<order_id>114-0000001-0000001</order_id><amazon_rma_id>DRMA0090</amazon_rma_id>"
            b"<return_request_status>Approved</return_request_status><item_details>"
        )
        self.assertEqual(log.state, "failed")
        self.assertIn("malformed or truncated", log.message)
        self.assertFalse(self._rmas())

    def test_hostile_xml_is_refused(self):
        log = self._import(
            b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
            b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n'
            b"<AmazonEnvelope><Message><return_details><order_id>&lol2;</order_id>"
            b"</return_details></Message></AmazonEnvelope>"
        )
        self.assertEqual(log.state, "failed")
        self.assertIn("DOCTYPE or entity declarations are refused", log.message)

    def test_a_file_that_is_no_returns_report_is_refused(self):
        log = self._import(b"%PDF-1.7 not a report")
        self.assertEqual(log.state, "failed")
        self.assertIn("PDF", log.message)

    def test_xml_file_from_seller_central(self):
        content = b"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Message>
  <return_details>
    <item_details>
      <merchant_sku>PLATE-1</merchant_sku><return_quantity>2</return_quantity>
      <return_reason_code>CR-DEFECTIVE</return_reason_code><in_policy>N</in_policy>
    </item_details>
    <item_details>
      <merchant_sku>MUG-1</merchant_sku><return_quantity>1</return_quantity>
      <return_reason_code>CR-DEFECTIVE</return_reason_code><in_policy>Y</in_policy>
    </item_details>
    <order_id>114-0000002-0000001</order_id>
    <amazon_rma_id>DXML0001</amazon_rma_id>
    <return_request_date>2025-07-11T08:00:00Z</return_request_date>
    <return_request_status>Approved</return_request_status>
    <a_to_z_claim>false</a_to_z_claim>
    <label_details><label_type>AmazonPrePaidLabel</label_type><label_cost>4.20</label_cost>
    </label_details>
    <tracking_id>1ZXML0001</tracking_id><return_carrier>USPS</return_carrier>
  </return_details>
</Message></AmazonEnvelope>"""
        log = self._import(content)
        self.assertEqual(log.created_count, 1)
        rma = self._rmas()
        self.assertEqual(rma.order_id, self.order_2)
        self.assertEqual((rma.tracking_number, rma.carrier), ("1ZXML0001", "USPS"))
        self.assertEqual(rma.label_cost, 4.2)
        plate_line = rma.line_ids.filtered(lambda line: line.product_id == self.plate)
        self.assertEqual(plate_line.quantity, 2)
        self.assertFalse(plate_line.in_policy)
        self.assertEqual(str(rma.request_date), "2025-07-11")

    def test_kit_returns_list_components(self):
        if "mrp.bom" not in self.env:
            self.skipTest("Kits need the Manufacturing app (mrp), which is not installed.")
        cup, saucer, spoon = self.env["product.product"].create(
            [{"name": name, "is_storable": True} for name in ("Cup", "Saucer", "Spoon")]
        )
        inner = self.env["product.product"].create({"name": "Cup and saucer", "is_storable": True})
        kit = self.env["product.product"].create(
            {"name": "Tea set", "default_code": "KIT-1", "is_storable": True}
        )
        self.env["mrp.bom"].create(
            [
                {
                    "product_tmpl_id": inner.product_tmpl_id.id,
                    "type": "phantom",
                    "bom_line_ids": [
                        Command.create({"product_id": cup.id, "product_qty": 1}),
                        Command.create({"product_id": saucer.id, "product_qty": 1}),
                    ],
                },
                {
                    "product_tmpl_id": kit.product_tmpl_id.id,
                    "type": "phantom",
                    "bom_line_ids": [
                        Command.create({"product_id": inner.id, "product_qty": 2}),
                        Command.create({"product_id": spoon.id, "product_qty": 4}),
                    ],
                },
            ]
        )
        order = self._create_amazon_order(self.account_a, "114-0000100-0000001")
        order.order_line = [
            Command.create(
                {"product_id": kit.id, "product_uom_qty": 3, "amazon_order_item_code": "9"}
            )
        ]
        self._ship(order)
        self._import(
            returns_flat_file(
                {
                    "Order ID": "114-0000100-0000001",
                    "Amazon RMA ID": "DKIT0001",
                    "Merchant SKU": "KIT-1",
                    "Return quantity": "2",
                },
                {"Order ID": "114-0000100-0000001", "Amazon RMA ID": "DKIT0001"},
            )
        )
        rma = self._rmas()
        quantities = {line.product_id: line.quantity for line in rma.line_ids}
        self.assertEqual(quantities, {cup: 4, saucer: 4, spoon: 8, self.product: 1})
        self.assertNotIn(kit, rma.line_ids.product_id, "never the kit itself")
        kit_line = order.order_line.filtered(lambda line: line.product_id == kit)
        self.assertEqual(
            rma.line_ids.filtered(lambda line: line.product_id == cup).order_line_id, kit_line
        )
        refund_lines = {row["order_line"]: row["quantity"] for row in rma._amazon_refund_lines()}
        self.assertEqual(refund_lines, {kit_line: 2, order.order_line[0]: 1})

    def test_returnless_refund_in_amazons_xml_report(self):
        content = f"""<?xml version="1.0" encoding="UTF-8"?>
<AmazonEnvelope><Message><return_details>
  <item_details><merchant_sku>MUG-1</merchant_sku><return_quantity>1</return_quantity>
    <return_reason_code>CR-DEFECTIVE</return_reason_code><resolution>ReturnlessRefund</resolution>
  </item_details>
  <order_id>{ORDER_1}</order_id><amazon_rma_id>DXML0060</amazon_rma_id>
  <return_request_date>2025-07-11T08:00:00Z</return_request_date>
  <return_request_status>Approved</return_request_status><return_type>C-Returns</return_type>
  <a_to_z_claim>false</a_to_z_claim><label_details/>
</return_details></Message></AmazonEnvelope>""".encode()
        self.company_a.amazon_skip_returnless_rma = True
        log = self._import(content)
        self.assertEqual((log.created_count, log.skipped_count), (0, 1))
        self.assertIn("Returnless", log.line_ids.reason)
        self.company_a.amazon_skip_returnless_rma = False
        self._import(content)
        self.assertTrue(self._rmas().returnless)

    def test_files_in_the_encodings_users_save(self):
        # Names with accents, as a buyer's or a product's may be.
        row = {"Order ID": ORDER_1, "Item Name": "Tasse \u00e0 caf\u00e9 \u2013 rouge"}
        text = returns_flat_file(row | {"Amazon RMA ID": "DENC0000"}).decode()
        cases = {
            "DENC0001": lambda text: text.encode("utf-8"),
            "DENC0002": lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
            "DENC0003": lambda text: codecs.BOM_UTF8 + text.encode("cp1252"),
            "DENC0004": lambda text: text.encode("cp1252"),
            "DENC0005": lambda text: text.replace("\u2013", "-").encode("latin-1"),
            "DENC0006": lambda text: text.encode("utf-16"),
        }
        for rma_id, encode in cases.items():
            with self.subTest(rma_id=rma_id):
                log = self._import(encode(text.replace("DENC0000", rma_id)))
                self.assertEqual((log.state, log.created_count), ("done", 1), log.message)
        self.assertEqual(sorted(self._rmas().mapped("amazon_rma_number")), sorted(cases))

    def test_binary_garbage_is_not_a_text_report(self):
        log = self._import(bytes(range(256)) * 16)
        self.assertEqual(log.state, "failed")
        self.assertIn("binary, not a text report", log.message)

    def test_bad_quantities_fail_their_row_and_the_rest_imports(self):
        log = self._import(
            returns_flat_file(
                {"Order ID": ORDER_1, "Amazon RMA ID": "DQTY0001", "Return quantity": "-5"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DQTY0002", "Return quantity": "1e12"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DQTY0003", "Return quantity": "0"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DQTY0004", "Return quantity": "3"},
                {"Order ID": ORDER_1, "Amazon RMA ID": "DQTY0005", "Return quantity": "2"},
            )
        )
        self.assertEqual(log.state, "done")
        self.assertEqual((log.created_count, log.failed_count), (1, 4))
        self.assertEqual(self._rmas().amazon_rma_number, "DQTY0005")
        self.assertEqual(self._rmas().line_ids.quantity, 2)
        reasons = {row.amazon_rma_number: row.reason for row in log.line_ids}
        self.assertIn("-5 is not a positive number", reasons["DQTY0001"])
        self.assertIn("0 is not a positive number", reasons["DQTY0003"])
        self.assertIn("only 2 shipped", reasons["DQTY0002"])
        self.assertIn("3 returned, but only 2 shipped", reasons["DQTY0004"])

    def test_unshipped_units_cannot_come_back(self):
        order = self._create_amazon_order(self.account_a, "114-0000003-0000001")
        log = self._import(
            returns_flat_file({"Order ID": "114-0000003-0000001", "Amazon RMA ID": "DQTY0010"})
        )
        self.assertEqual(log.failed_count, 1)
        self.assertIn("only 0 shipped", log.line_ids.reason)
        self.assertFalse(order.amazon_rma_ids)

    def test_log_lists_the_first_rows_of_each_reason_and_counts_all(self):
        rows = [
            {"Order ID": f"114-9{n:06d}-0000001", "Amazon RMA ID": f"DCAP{n:04d}"} for n in range(5)
        ]
        rows.append({"Order ID": ORDER_1, "Amazon RMA ID": "DCAP0100", "Merchant SKU": "NOPE-1"})
        rows.append({"Order ID": ORDER_1, "Amazon RMA ID": "DCAP0101"})
        with patch.object(returns, "ROWS_PER_REASON", 2):
            log = self._import(returns_flat_file(*rows))
        self.assertEqual((log.created_count, log.failed_count), (1, 6))
        failed = log.line_ids.filtered(lambda row: row.result == "failed")
        self.assertEqual(failed.mapped("amazon_rma_number"), ["DCAP0000", "DCAP0001", "DCAP0100"])
        self.assertIn("3 more rows", log.message)
        self.assertIn("orders that are not in Odoo", log.message)

    def test_empty_file_over_rpc_is_refused_clearly(self):
        wizard = self.env["amazon.rma.import.wizard"].with_user(self.user_a)
        for empty in (False, b"", ""):
            with self.subTest(file=empty), self.assertRaisesRegex(UserError, "file is empty"):
                wizard.create({"seller_account_id": self.account_a.id, "file": empty})

    def test_big_files_are_imported_in_the_background(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DBIG0001"},
            {"Order ID": "114-9999999-0000001", "Amazon RMA ID": "DBIG0002"},
        )
        with patch.object(amazon_rma_import, "IMMEDIATE_MAX_BYTES", len(content) - 1):
            log = self._import(content, user=self.user_a)
        self.assertEqual(log.state, "queued")
        self.assertFalse(self._rmas(), "nothing imported in the user's request")
        cron = self.env.ref("amazon_refund_cancel.ir_cron_amazon_import_returns_files")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))
        self.assertEqual(log.attachment_id.raw, content)
        self.env["bus.bus"].search([]).unlink()
        progress = []
        write = type(log).write

        def spy(records, vals):
            if "read_count" in vals and records.state == "running":
                progress.append(vals["read_count"])
            return write(records, vals)

        with patch.object(type(log), "write", spy):
            self.env["amazon.rma.import"]._cron_import_files()
        self.assertEqual(log.state, "done")
        self.assertEqual((log.created_count, log.failed_count, log.read_count), (1, 1, 2))
        self.assertEqual(progress, [2], "the log shows how far the import has come")
        self.assertEqual(self._rmas().amazon_rma_number, "DBIG0001")
        # Notifications go out when the transaction commits.
        self.env.cr.precommit.run()
        notifications = self.env["bus.bus"].search([("message", "like", "simple_notification")])
        self.assertEqual(len(notifications), 1)
        self.assertIn("1 created", notifications.message)
        self.assertIn(f'"res.partner",{self.user_a.partner_id.id}]', notifications.channel)

    def test_small_gzip_of_big_content_is_imported_in_the_background(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DGZ0001"},
            {"Order ID": ORDER_2, "Amazon RMA ID": "DGZ0002"},
        )
        compressed = gzip.compress(content)
        # The upload is under the limit, its content over it: the content decides.
        with patch.object(amazon_rma_import, "IMMEDIATE_MAX_BYTES", len(compressed) + 1):
            self.assertLess(len(compressed) + 1, len(content))
            log = self._import(compressed, user=self.user_a)
        self.assertEqual(log.state, "queued")
        self.assertFalse(self._rmas(), "nothing read in the user's request")

    def test_gzip_bomb_is_refused_in_the_request_at_once(self):
        buffer = io.BytesIO()
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as file:
            file.write(b"<AmazonEnvelope>")
            for _ in range(1024):
                file.write(b"<a/>" * 4096)
            file.write(b"</AmazonEnvelope>")
        bomb = buffer.getvalue()
        self.assertLess(len(bomb), 20_000, "15 KB expanding to 16 MiB")
        memory = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        start = time.perf_counter()
        log = self._import(bomb, user=self.user_a)
        self.assertLess(time.perf_counter() - start, 1)
        # The process's peak (in KB) grows by less than 50 MB.
        self.assertLess(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - memory, 50 * 1024)
        self.assertEqual(log.state, "failed")
        self.assertIn("decompression bomb", log.message)
        self.assertFalse(self._rmas())

    def test_unreadable_big_file_imports_nothing_in_the_background(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DBIG0010"},
            {"Order ID": ORDER_1, "Amazon RMA ID": "DBIG0011", "Return request date": "never"},
        )
        with patch.object(amazon_rma_import, "IMMEDIATE_MAX_BYTES", 0):
            log = self._import(content)
        self.env["amazon.rma.import"]._cron_import_files()
        self.assertEqual(log.state, "failed")
        self.assertIn("line 3", log.message)
        self.assertFalse(self._rmas())

    def test_unexpected_error_midway_fails_the_log_and_keeps_what_was_imported(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DSTOP01"},
            {"Order ID": ORDER_2, "Amazon RMA ID": "DSTOP02"},
        )
        with patch.object(amazon_rma_import, "IMMEDIATE_MAX_BYTES", 0):
            log = self._import(content, user=self.user_a)
        create = returns.ReturnsImporter._create
        calls = []

        def create_then_fail(importer, to_create):
            create(importer, to_create)
            calls.append(to_create)
            if len(calls) == 2:
                raise RuntimeError("disk full")

        # Notifications of earlier tests may wait for a commit of this cursor.
        self.env.cr.precommit.run()
        self.env["bus.bus"].search([]).unlink()
        with (
            patch.object(returns, "CHUNK_SIZE", 1),
            patch.object(returns.ReturnsImporter, "_create", create_then_fail),
            self.assertLogs(amazon_rma_import.__name__, "ERROR"),
        ):
            self.env["amazon.rma.import"]._cron_import_files()
        self.assertEqual(log.state, "failed")
        self.assertIn("disk full", log.message)
        self.assertIn("1 RMAs of the file read", log.message)
        self.assertEqual((log.created_count, log.read_count), (1, 1))
        self.assertEqual(
            self._rmas().amazon_rma_number, "DSTOP01", "the first chunk stays imported"
        )
        self.assertEqual(log.line_ids.amazon_rma_number, "DSTOP01")
        self.env.cr.precommit.run()
        notifications = self.env["bus.bus"].search([("message", "like", "simple_notification")])
        self.assertEqual(len(notifications), 1)
        self.assertIn("disk full", notifications.message)
        self.assertIn('"danger"', notifications.message)

    def test_notes_show_amazons_text_as_text(self):
        content = returns_flat_file(
            {"Order ID": ORDER_1, "Amazon RMA ID": "DRMA0090", "Tracking ID": "<b>1Z&9</b>"}
        )
        self._import(content)
        note = self._rmas().message_ids.filtered(lambda m: "1Z" in m.body)
        self.assertIn("&lt;b&gt;1Z&amp;9&lt;/b&gt;", note.body)
        self.assertNotIn("<b>", note.body)

    def test_file_missing_from_the_filestore_fails_the_background_import(self):
        content = returns_flat_file({"Order ID": ORDER_1, "Amazon RMA ID": "DSTOP10"})
        with patch.object(amazon_rma_import, "IMMEDIATE_MAX_BYTES", 0):
            log = self._import(content)

        def missing(_log):
            raise FileNotFoundError("no such file in the filestore")

        self.env.cr.precommit.run()
        self.env["bus.bus"].search([]).unlink()
        with (
            patch.object(type(log), "_open_file", missing),
            self.assertLogs(amazon_rma_import.__name__, "ERROR"),
        ):
            self.env["amazon.rma.import"]._cron_import_files()
        self.assertEqual(log.state, "failed")
        self.assertIn("no such file in the filestore", log.message)
        self.assertFalse(self._rmas())
        self.env.cr.precommit.run()
        notifications = self.env["bus.bus"].search([("message", "like", "simple_notification")])
        self.assertIn("no such file in the filestore", notifications.message)
