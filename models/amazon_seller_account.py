import logging
from urllib.parse import urlsplit

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..amazon_api import const
from ..amazon_api.client import AmazonClient, Connection
from ..amazon_api.errors import AmazonError
from .amazon_seller_marketplace import REGION_SELECTION

_logger = logging.getLogger(__name__)

CREDENTIAL_FIELDS = ("lwa_client_id", "lwa_client_secret", "lwa_refresh_token")


class AmazonSellerAccount(models.Model):
    _name = "amazon.seller.account"
    _description = "Amazon Seller Account"
    _inherit = ["mail.thread"]
    _check_company_auto = True
    _order = "company_id, name"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, tracking=True
    )
    seller_id = fields.Char(
        string="Seller ID",
        required=True,
        tracking=True,
        help="Amazon's Merchant Token, shown in Seller Central under Settings > Account Info.",
    )
    region = fields.Selection(REGION_SELECTION, required=True, default="na", tracking=True)
    marketplace_ids = fields.Many2many(
        "amazon.seller.marketplace",
        string="Marketplaces",
        domain="[('region', '=', region)]",
    )
    lwa_client_id = fields.Char(
        string="LWA Client ID", groups="base.group_system", copy=False, tracking=True
    )
    lwa_client_secret = fields.Char(
        string="LWA Client Secret", groups="base.group_system", copy=False
    )
    lwa_refresh_token = fields.Char(string="Refresh Token", groups="base.group_system", copy=False)
    endpoint = fields.Selection(
        [
            ("production", "Amazon"),
            ("sandbox", "Amazon sandbox"),
            ("custom", "Other address"),
        ],
        required=True,
        default="production",
        tracking=True,
        help="Where to send requests: Amazon itself, Amazon's sandbox, or another address such "
        "as a local emulator or a proxy.",
    )
    custom_api_url = fields.Char(string="SP-API Address", tracking=True)
    custom_lwa_url = fields.Char(string="LWA Token Address", tracking=True)

    _sql_constraints = [
        (
            "seller_region_unique",
            "unique(company_id, seller_id, region)",
            "This company already has an account for this seller in this region.",
        ),
    ]

    @api.constrains("marketplace_ids", "region")
    def _check_marketplace_region(self):
        for account in self:
            foreign = account.marketplace_ids.filtered_domain([("region", "!=", account.region)])
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Marketplaces: %(names)s are not in the region of account %(account)s.",
                        names=", ".join(foreign.mapped("name")),
                        account=account.name,
                    )
                )

    @api.constrains("endpoint", "custom_api_url", "custom_lwa_url")
    def _check_custom_urls(self):
        labels = {
            "custom_api_url": self._fields["custom_api_url"].string,
            "custom_lwa_url": self._fields["custom_lwa_url"].string,
        }
        for account in self.filtered(lambda a: a.endpoint == "custom"):
            for field_name, label in labels.items():
                parts = urlsplit(account[field_name] or "")
                if parts.scheme not in ("http", "https") or not parts.hostname:
                    raise ValidationError(
                        self.env._(
                            "%(field)s of account %(account)s must be a full http(s) address, "
                            "such as https://proxy.example.com.",
                            field=label,
                            account=account.name,
                        )
                    )

    @api.constrains("active", *CREDENTIAL_FIELDS)
    def _check_credentials(self):
        for account in self.sudo().filtered("active"):
            missing = [
                account._fields[name].string for name in CREDENTIAL_FIELDS if not account[name]
            ]
            if missing:
                raise ValidationError(
                    self.env._(
                        "Account %(account)s is active but has no %(fields)s. A system "
                        "administrator enters them, or archive the account.",
                        account=account.name,
                        fields=", ".join(missing),
                    )
                )

    def _amazon_endpoints(self):
        """(SP-API base URL, LWA token URL) of the account."""
        self.ensure_one()
        if self.endpoint == "custom":
            return self.custom_api_url.rstrip("/"), self.custom_lwa_url
        region = const.REGIONS[self.region]
        api_url = region["sandbox"] if self.endpoint == "sandbox" else region["endpoint"]
        return api_url, const.LWA_TOKEN_URL

    def _amazon_client(self, marketplace=None):
        """The seam's client for this account, in `marketplace` or its first marketplace."""
        self.ensure_one()
        marketplace = marketplace or self.marketplace_ids[:1]
        if not marketplace:
            raise UserError(
                self.env._("Account %(account)s has no marketplace.", account=self.name)
            )
        api_url, lwa_url = self._amazon_endpoints()
        secrets = self.sudo()
        return AmazonClient(
            Connection(
                seller_id=self.seller_id,
                marketplace_id=marketplace.code,
                endpoint=api_url,
                lwa_url=lwa_url,
                client_id=secrets.lwa_client_id or "",
                client_secret=secrets.lwa_client_secret or "",
                refresh_token=secrets.lwa_refresh_token or "",
                aws_region=const.REGIONS[self.region]["aws_region"],
            )
        )

    def action_test_connection(self):
        self.ensure_one()
        try:
            self._amazon_client().check_connection()
        except AmazonError as error:
            _logger.info("Amazon connection test of account %s failed: %s", self.id, error)
            raise UserError(
                self.env._("Amazon did not accept the connection: %(error)s", error=error)
            ) from error
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Connection works"),
                "message": self.env._(
                    "Amazon accepted the credentials of %(account)s.", account=self.name
                ),
                "sticky": False,
            },
        }

    rma_imported_until = fields.Datetime(
        string="Returns Imported Until",
        copy=False,
        help="The scheduled import of RMAs asks Amazon for the returns since then (the last 30 "
        "days the first time). Set it back to import an earlier period again.",
    )
