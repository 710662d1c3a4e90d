from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.modules.migration import load_script
from odoo.modules.module import get_module_path
from odoo.tests import Form, tagged
from odoo.tools import SQL

from .common_rma import returns_flat_file
from .test_return_refund_rules import ReturnRefundCase


@tagged("post_install", "-at_install")
class TestReturnReasons(ReturnRefundCase):
    """Return reasons are records: Amazon's published codes and their spellings, unseen codes
    made on import, rules that pick them."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a.amazon_return_refund_mode = "propose"

    def _import_reasons(self, number, *codes):
        order = self._shipped_order(number)
        self._import(
            returns_flat_file(
                *(
                    {
                        "Order ID": order.amazon_order_number,
                        "Amazon RMA ID": f"DREASON{number[4:11]}",
                        "Merchant SKU": "MUG",
                        "Return Reason": code,
                    }
                    for code in codes
                )
            )
        )
        return order.amazon_rma_ids

    def test_published_codes_and_their_spellings_are_one_reason(self):
        Reason = self.env["amazon.return.reason"]
        reasons = Reason._amazon_resolve(
            [
                "AMZ-PG-APP-TOO-SMALL",
                "APPAREL_TOO_SMALL",
                "APP_TOO_SMALL",
                "CR-DEFECTIVE",
                "DEFECTIVE",
            ]
        )
        small = reasons["AMZ-PG-APP-TOO-SMALL"]
        self.assertEqual(reasons["APPAREL_TOO_SMALL"], small)
        self.assertEqual(reasons["APP_TOO_SMALL"], small)
        self.assertEqual(reasons["CR-DEFECTIVE"], reasons["DEFECTIVE"])
        self.assertEqual(reasons["CR-DEFECTIVE"].category, "seller_fault")
        self.assertFalse(small.to_review)
        jewelry = Reason.search([("code", "=", "AMZ-PG-WJ-TOO-SMALL")])
        self.assertEqual(
            (jewelry.name, jewelry.category, jewelry.to_review),
            ("Too small (watches and jewelry)", "buyer_remorse", False),
        )
        self.assertNotEqual(jewelry, small, "each category's family is a reason of its own")

    def test_real_us_code_is_labelled_and_a_buyer_remorse_rule_applies(self):
        rule = self._rule("Changed mind", reason_category="buyer_remorse")
        rma = self._import_reasons("162-0000001-0000001", "AMZ-PG-WJ-TOO-SMALL")
        self.assertEqual(rma.line_ids.reason, "AMZ-PG-WJ-TOO-SMALL", "Amazon's spelling kept")
        self.assertEqual(rma.line_ids.reason_id.category, "buyer_remorse")
        self.assertEqual(rma.return_reason_label, "Too small (watches and jewelry)")
        self.assertEqual(self._receive(rma).refund_rule_ids, rule)

    def test_rule_picks_a_reason_whatever_the_spelling(self):
        small = self.env["amazon.return.reason"].search([("code", "=", "AMZ-PG-APP-TOO-SMALL")])
        rule = self._rule("Too small", reason_ids=[Command.set(small.ids)])
        rma = self._returned(
            "162-0000002-0000001", [("MUG", 1, "APPAREL_TOO_SMALL", True, "sellable")]
        )
        self.assertEqual(rma.line_ids.reason_id, small)
        self.assertEqual(self._receive(rma).refund_rule_ids, rule)

    def test_returns_report_groups_by_reason_not_spelling(self):
        rma = self._import_reasons(
            "162-0000007-0000001", "AMZ-PG-APP-TOO-SMALL", "APPAREL_TOO_SMALL"
        )
        self.assertEqual(len(set(rma.line_ids.mapped("reason"))), 2, "two spellings")
        groups = self.env["amazon.rma.line"]._read_group(
            [("rma_id", "=", rma.id)], ["reason_id"], ["quantity:sum"]
        )
        self.assertEqual(
            [(reason.code, total) for reason, total in groups], [("AMZ-PG-APP-TOO-SMALL", 2)]
        )
        pivot = self.env["amazon.rma.line"].get_views([(False, "pivot")])["views"]["pivot"]["arch"]
        self.assertIn('name="reason_id"', pivot)
        # RMAs too, one spelling each.
        other = self._import_reasons("162-0000011-0000001", "APP_TOO_SMALL")
        rmas = self.env["amazon.rma"]._read_group(
            [("id", "in", (rma | other).ids)], ["reason_ids"], ["__count"]
        )
        self.assertEqual([(reason.code, count) for reason, count in rmas], [(groups[0][0].code, 2)])
        search = self.env["amazon.rma"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn("'group_by': 'reason_ids'", search)

    def test_unseen_codes_are_made_once_labelled_and_classified(self):
        Reason = self.env["amazon.return.reason"]
        before = Reason.search_count([])
        rma = self._import_reasons(
            "162-0000003-0000001",
            "AMZ-PG-HB-TOO-SMALL",
            "CR-ARRIVED_DEFECTIVE_TWICE",
            "CR-SOMETHING_NEW",
            "AMZ-PG-HB-TOO-SMALL",
        )
        self.assertEqual(Reason.search_count([]), before + 3, "one record per unseen reason")
        by_code = {line.reason: line.reason_id for line in rma.line_ids}
        self.assertEqual(
            [
                (by_code[code].name, by_code[code].category, by_code[code].to_review)
                for code in (
                    "AMZ-PG-HB-TOO-SMALL",
                    "CR-ARRIVED_DEFECTIVE_TWICE",
                    "CR-SOMETHING_NEW",
                )
            ],
            [
                ("Hb too small", "buyer_remorse", True),
                ("Arrived defective twice", "seller_fault", True),
                ("Something new", False, True),
            ],
        )
        again = self._import_reasons("162-0000004-0000001", "AMZ-PG-HB-TOO-SMALL")
        self.assertEqual(again.line_ids.reason_id, by_code["AMZ-PG-HB-TOO-SMALL"])

    def test_reviewers_correct_labels_not_codes(self):
        unseen = self.env["amazon.return.reason"]._amazon_resolve(["CR-SOMETHING_NEW"])[
            "CR-SOMETHING_NEW"
        ]
        manager = self._create_user("reason_manager", self.company_a, "group_amazon_manager")
        unseen.with_user(manager).write({"name": "Something new", "category": "buyer_remorse"})
        self.assertFalse(unseen.to_review, "reviewed")
        with self.assertRaises(AccessError):
            unseen.with_user(manager).write({"code": "CR-OTHER"})
        with self.assertRaises(AccessError):
            unseen.with_user(self.user_a).write({"name": "Mine"})

    def test_rules_pick_conditions_in_the_words_of_receive(self):
        Condition = self.env["amazon.return.condition"]
        labels = dict(
            self.env["amazon.rma.receive.wizard.line"]
            ._fields["condition"]
            ._description_selection(self.env)
        )
        self.assertEqual(dict(Condition.search([]).mapped(lambda c: (c.code, c.name))), labels)
        (opened,) = Condition.name_search("Opened")
        rule = self._rule(
            "Opened",
            reason_category="buyer_remorse",
            condition_ids=[Command.set([opened[0]])],
            restocking_fee_percent=10,
        )
        self.assertIn("condition opened", rule._describe())
        rma = self._returned(
            "162-0000006-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "opened")]
        )
        self.assertEqual(self._receive(rma).refund_rule_ids, rule)

    def test_upgrade_links_lines_and_rules_to_reasons(self):
        script = load_script(
            f"{get_module_path('amazon_refund_cancel')}/migrations/18.0.1.3.0/post-migrate.py",
            "amazon_refund_cancel_post_migrate_reasons",
        )
        rma = self._returned(
            "162-0000005-0000001",
            [("MUG", 1, "APPAREL_TOO_SMALL", True, False), ("TEE", 1, "CR-BRAND_NEW", True, False)],
        )
        rule = self._rule("Old typed rule")
        self.env.flush_all()
        cr = self.env.cr
        # What 18.0.1.1.0 left: codes only, typed on rules too.
        for column in ("reason_codes", "condition_codes"):
            cr.execute(
                SQL(
                    "ALTER TABLE amazon_return_refund_rule ADD COLUMN IF NOT EXISTS %s varchar",
                    SQL.identifier(column),
                )
            )
        cr.execute(
            """UPDATE amazon_return_refund_rule SET reason_codes = %s, condition_codes = %s
                WHERE id = %s""",
            ("CR-UNWANTED_ITEM, APPAREL_TOO_SMALL", "opened,customer_damaged", rule.id),
        )
        cr.execute("UPDATE amazon_rma_line SET reason_id = NULL WHERE rma_id = %s", (rma.id,))
        cr.execute("DELETE FROM amazon_return_reason WHERE code = 'CR-BRAND_NEW'")
        self.env.invalidate_all()
        for _run in range(2):
            script.link_return_reasons(self.env)
            lines = {line.reason: line.reason_id for line in rma.line_ids}
            self.assertEqual(lines["APPAREL_TOO_SMALL"].code, "AMZ-PG-APP-TOO-SMALL")
            self.assertTrue(lines["CR-BRAND_NEW"].to_review)
            self.assertEqual(
                sorted(rule.reason_ids.mapped("code")), ["AMZ-PG-APP-TOO-SMALL", "UNWANTED_ITEM"]
            )
            self.assertEqual(rule.condition_ids.mapped("code"), ["opened", "customer_damaged"])

    def test_family_codes_are_the_reasons_they_spell(self):
        """The seller-fulfilled report's AMZ-PG- codes and the FBA report's plain codes of one
        reason are one reason, in reports too, and the category-specific ones are listed."""
        Reason = self.env["amazon.return.reason"]
        reasons = Reason._amazon_resolve(
            ["AMZ-PG-WJ-TOO-SMALL", "JEWELRY_TOO_SMALL", "CR-JEWELRY_TOO_SMALL", "MISORDERED"]
        )
        jewelry = reasons["AMZ-PG-WJ-TOO-SMALL"]
        self.assertEqual(reasons["JEWELRY_TOO_SMALL"], jewelry)
        self.assertEqual(reasons["CR-JEWELRY_TOO_SMALL"], jewelry)
        self.assertEqual(jewelry.aliases, "JEWELRY_TOO_SMALL")
        misordered = reasons["MISORDERED"]
        self.assertEqual(
            (misordered.code, misordered.category, misordered.to_review),
            ("AMZ-PG-MISORDERED", "buyer_remorse", False),
        )
        self.assertNotEqual(
            misordered, Reason.search([("code", "=", "ORDERED_WRONG_ITEM")]), "a reason of its own"
        )
        before = Reason.search_count([])
        rma = self._import_reasons("162-0000008-0000001", "AMZ-PG-WJ-BAD-CLASP", "JEWELRY_BATTERY")
        self.assertEqual(Reason.search_count([]), before, "listed reasons, nothing to review")
        self.assertEqual(
            sorted(rma.line_ids.reason_id.mapped(lambda r: (r.code, r.category))),
            [("JEWELRY_BAD_CLASP", "seller_fault"), ("JEWELRY_BATTERY", "seller_fault")],
        )

    def test_rule_form_picks_reasons_and_conditions_as_tags(self):
        """No code is typed on a rule: reasons and conditions are tags, chosen by their words."""
        arch = self.env["amazon.return.refund.rule"].get_views([(False, "form")])["views"]["form"][
            "arch"
        ]
        for name in ("reason_ids", "condition_ids"):
            self.assertRegex(arch, rf'name="{name}"\s[^>]*widget="many2many_tags"')
        typed = [
            name
            for name, field in self.env["amazon.return.refund.rule"]._fields.items()
            if field.type in ("char", "text") and f'name="{name}"' in arch
        ]
        self.assertEqual(typed, ["name"], "only the rule's name is typed")
        small = self.env["amazon.return.reason"].name_search("Too small (watches")
        self.assertEqual(
            [name for _id, name in self.env["amazon.return.reason"].name_search("JEWELRY_TOO_SM")],
            ["Too small (watches and jewelry)"],
            "found by any spelling of its code too",
        )
        opened = self.env["amazon.return.condition"].name_search("Opened")
        with Form(self.env["amazon.return.refund.rule"]) as form:
            form.name = "Jewelry opened"
            form.reason_ids.add(self.env["amazon.return.reason"].browse(small[0][0]))
            form.condition_ids.add(self.env["amazon.return.condition"].browse(opened[0][0]))
            form.restocking_fee_percent = 15
        rule = form.record
        self.assertEqual(rule.reason_ids.code, "AMZ-PG-WJ-TOO-SMALL")
        rma = self._returned(
            "162-0000009-0000001", [("MUG", 1, "JEWELRY_TOO_SMALL", True, "opened")]
        )
        self.assertEqual(self._receive(rma).refund_rule_ids, rule)

    def test_upgrade_merges_reasons_now_listed(self):
        """18.0.1.4.0: a reason made from a spelling now listed merges into the listed one;
        AMZ-PG-MISORDERED leaves Bought by mistake, and rules naming that one keep matching it."""
        script = load_script(
            f"{get_module_path('amazon_refund_cancel')}/migrations/18.0.1.4.0/"
            "post-return-reason-rules.py",
            "amazon_refund_cancel_post_return_reason_rules",
        )
        Reason = self.env["amazon.return.reason"]
        listed = Reason.search([("code", "=", "AMZ-PG-WJ-TOO-SMALL")])
        wrong = Reason.search([("code", "=", "ORDERED_WRONG_ITEM")])
        rma = self._returned(
            "162-0000010-0000001",
            [
                ("MUG", 1, "JEWELRY_TOO_SMALL", True, False),
                ("TEE", 1, "CR-MISORDERED", True, False),
            ],
        )
        self.env.flush_all()
        cr = self.env.cr
        # What 18.0.1.3.0 left: JEWELRY_TOO_SMALL a reason of its own, reviewed; MISORDERED a
        # spelling of Bought by mistake.
        cr.execute(
            """INSERT INTO amazon_return_reason (code, name, category, to_review, active)
               VALUES ('JEWELRY_TOO_SMALL', '{"en_US": "Ring too small"}', 'buyer_remorse',
                       false, true) RETURNING id"""
        )
        old_jewelry = Reason.browse(cr.fetchone()[0])
        cr.execute(
            "UPDATE amazon_return_reason SET aliases = 'AMZ-PG-MISORDERED' WHERE id = %s",
            (wrong.id,),
        )
        jewelry_line, misordered_line = rma.line_ids.sorted("sequence")
        for line, reason in ((jewelry_line, old_jewelry), (misordered_line, wrong)):
            cr.execute(
                "UPDATE amazon_rma_line SET reason_id = %s WHERE id = %s", (reason.id, line.id)
            )
        cr.execute("DELETE FROM amazon_return_reason WHERE code = 'AMZ-PG-MISORDERED'")
        self.env.invalidate_all()
        rule = self._rule(
            "Sizes and mistakes", reason_ids=[Command.set((old_jewelry | wrong | listed).ids)]
        )
        for _run in range(2):
            script.merge_return_reasons(self.env)
            self.assertFalse(old_jewelry.exists(), "merged into the listed reason")
            misordered = Reason.search([("code", "=", "AMZ-PG-MISORDERED")])
            self.assertEqual(
                (jewelry_line.reason_id, misordered_line.reason_id), (listed, misordered)
            )
            self.assertFalse(wrong.aliases)
            self.assertEqual(rule.reason_ids, listed | wrong | misordered)
        self.assertEqual(
            rma.return_reason_label,
            "Too small (watches and jewelry), Wrong style, size or colour ordered",
        )
        self.assertEqual(self._receive(rma).refund_rule_ids, rule)


@tagged("post_install", "-at_install")
class TestSellerFaultFee(ReturnRefundCase):
    """The refund dialog refuses a restocking fee on a seller-fault return, as the rules do."""

    def _dialog(self, action, fee):
        form = Form(self.env["amazon.refund.wizard"].with_context(**action["context"]))
        with form.line_ids.edit(0) as line:
            line.amount_restocking_fee = fee
        return form

    def test_fee_refused_for_seller_fault_allowed_for_buyer_remorse(self):
        self.company_a.amazon_return_refund_mode = "nothing"
        defective = self._returned(
            "163-0000001-0000001", [("MUG", 1, "CR-DEFECTIVE", True, "customer_damaged")]
        )
        self._receive(defective)
        form = self._dialog(defective.action_issue_refund(), 4.0)
        with self.assertRaisesRegex(UserError, "Defective or does not work, the seller's fault"):
            form.save()
        self.assertFalse(defective.refund_request_ids, "no request made")
        # Nor by the door the dialog uses, whoever calls it.
        order_line = defective.line_ids.order_line_id
        with self.assertRaisesRegex(UserError, "no restocking fee"):
            self.env["amazon.order.request"]._amazon_new(
                defective.order_id,
                "refund",
                "CustomerReturn",
                [
                    {
                        "order_line_id": order_line.id,
                        "quantity": 1,
                        "amount_principal": 20.0,
                        "amount_restocking_fee": 4.0,
                    }
                ],
                rma=defective,
            )
        remorse = self._returned(
            "163-0000002-0000001", [("MUG", 1, "CR-UNWANTED_ITEM", True, "opened")]
        )
        self._receive(remorse)
        self._dialog(remorse.action_issue_refund(), 4.0).save().action_refund()
        self.assertEqual(remorse.refund_request_ids.line_ids.amount_restocking_fee, 4.0)

    def test_fee_refused_from_the_orders_dialog_too(self):
        """The order's Amazon Refund, not the RMA's Issue Refund: the item's return still says
        it was the seller's fault."""
        self.company_a.amazon_return_refund_mode = "nothing"
        defective = self._returned(
            "163-0000003-0000001", [("MUG", 1, "AMZ-PG-BAD-DESC", True, "opened")]
        )
        self._receive(defective)
        form = self._dialog(defective.order_id.action_amazon_refund(), 4.0)
        form.reason = "CustomerReturn"
        with self.assertRaisesRegex(UserError, "Inaccurate description, the seller's fault"):
            form.save()
        self.assertFalse(defective.order_id.amazon_request_ids, "no request made")
