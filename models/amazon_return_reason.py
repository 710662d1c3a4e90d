from odoo import api, fields, models

from ..amazon_api import const
from ..compat import Constraint
from ..utils import check_system_fields

REASON_CATEGORIES = [
    ("seller_fault", "Seller fault"),
    ("buyer_remorse", "Buyer's remorse"),
]


def _category(fault):
    return {True: "seller_fault", False: "buyer_remorse"}.get(fault, False)


class AmazonReturnReason(models.Model):
    """A return reason of Amazon's returns reports: one record per reason, whatever spelling
    of its code a report uses, so that rules, RMAs and reports speak of the reason."""

    _name = "amazon.return.reason"
    _description = "Amazon Return Reason"
    _order = "category, name, id"
    # Picked on rules by its words or by any spelling of its code.
    _rec_names_search = ["name", "code", "aliases"]

    code = fields.Char(required=True, readonly=True, help="Amazon's code of the reason.")
    name = fields.Char(string="Label", required=True, translate=True)
    category = fields.Selection(
        REASON_CATEGORIES,
        help="Seller fault: defective, damaged, wrong item, not as described, missing parts, "
        "arrived late. Buyer's remorse: the buyer's choice. Empty: not known, matched only by "
        "rules for any reason.",
    )
    aliases = fields.Char(
        readonly=True,
        help="Other spellings of the code that Amazon writes in its reports, separated by commas.",
    )
    to_review = fields.Boolean(
        string="To Review",
        readonly=True,
        help="First seen in a returns report, not among Amazon's published codes: its label and "
        "category are guessed from the code.",
    )
    active = fields.Boolean(default=True)

    _code_unique = Constraint("unique(code)", "This return reason code is already recorded.")

    def write(self, vals):
        # Codes and spellings are Amazon's; users correct the label and category only.
        check_system_fields(self, vals, ["code", "aliases", "to_review"])
        if {"name", "category"} & set(vals) and "to_review" not in vals:
            # Reviewing a guessed reason settles it.
            vals = dict(vals, to_review=False)
        return super().write(vals)

    @api.model
    def _amazon_keys(self):
        """Every spelling's key -> its reason, inactive reasons included. A key Amazon's list
        gives to one of its reasons is that reason's, even where a reason made earlier from an
        unseen spelling of it still exists."""
        published = self._amazon_published_keys()
        keys = {}
        reasons = self.sudo().with_context(active_test=False).search_fetch([], ["code", "aliases"])
        for reason in reasons.sorted(
            lambda reason: (
                published.get(const.return_reason_key(reason.code)) != reason.code,
                reason.id,
            )
        ):
            for spelling in [reason.code, *(reason.aliases or "").split(",")]:
                if spelling.strip():
                    keys.setdefault(const.return_reason_key(spelling), reason.id)
        return keys

    @api.model
    def _amazon_published_keys(self):
        """The key of each spelling of Amazon's published reasons -> the reason's code."""
        return {
            const.return_reason_key(spelling): code
            for code, (_label, _fault, aliases) in const.RETURN_REASONS.items()
            for spelling in (code, *aliases)
        }

    @api.model
    def _amazon_resolve(self, codes):
        """The reason of each code, as {code: reason}: codes of Amazon's list, or unseen,
        become reasons of their own, all created in one go."""
        codes = {code.strip() for code in codes if code and code.strip()}
        if not codes:
            return {}
        keys = self._amazon_keys()
        published = self._amazon_published_keys()
        to_create = {}
        for code in codes:
            key = const.return_reason_key(code)
            if key in keys:
                continue
            canonical = published.get(key)
            if canonical:
                label, fault, aliases = const.RETURN_REASONS[canonical]
                values = {"code": canonical, "name": label, "aliases": ", ".join(aliases)}
            else:
                label, fault = const.return_reason_guess(code)
                values = {"code": code, "name": label, "to_review": True}
            values["category"] = _category(fault)
            to_create.setdefault(const.return_reason_key(values["code"]), values)
        if to_create:
            self.sudo().create(list(to_create.values()))
            keys = self._amazon_keys()
        return {code: self.browse(keys[const.return_reason_key(code)]) for code in codes}

    @api.model
    def _amazon_load_published(self):
        """Amazon's published reasons (amazon_api/const.py's RETURN_REASONS, from Seller
        Central's help), created where missing and their aliases kept up to date."""
        # Aliases first: a spelling a reason no longer has is free for the reason now listing it.
        for reason in (
            self.sudo()
            .with_context(active_test=False)
            .search([("code", "in", list(const.RETURN_REASONS))])
        ):
            aliases = ", ".join(const.RETURN_REASONS[reason.code][2])
            if (reason.aliases or "") != aliases:
                reason.aliases = aliases
        self._amazon_resolve(const.RETURN_REASONS)
        return True
