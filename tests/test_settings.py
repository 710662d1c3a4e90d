from odoo.tests import Form, tagged

from .common import AmazonCase

SETTINGS = (
    "amazon_import_rma_report",
    "amazon_allow_over_refund",
    "amazon_allow_zero_out_inventory",
    "amazon_skip_returnless_rma",
    "amazon_allow_local_cancel",
    "amazon_queue_requests",
    "amazon_queue_auto_submit",
)


@tagged("post_install", "-at_install")
class TestSettings(AmazonCase):
    def test_settings_are_per_company(self):
        settings = self.env["res.config.settings"].with_company(self.company_b)
        with Form(settings) as form:
            for name in SETTINGS:
                form[name] = True
        for name in SETTINGS:
            self.assertTrue(self.company_b[name], name)
            self.assertFalse(self.company_a[name], name)
        form = Form(self.env["res.config.settings"].with_company(self.company_a))
        self.assertFalse(form.amazon_queue_requests)
        form = Form(self.env["res.config.settings"].with_company(self.company_b))
        self.assertTrue(form.amazon_queue_requests)
