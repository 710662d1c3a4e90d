from odoo.tests import tagged

from .common import AmazonCase


@tagged("post_install", "-at_install")
class TestTranslations(AmazonCase):
    """A seller working in German sees the addon in German, from i18n/de.po."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["res.lang"]._activate_lang("de_DE")
        cls.env["ir.module.module"]._load_module_terms(
            ["amazon_refund_cancel"], ["de_DE"], overwrite=True
        )
        cls.user_a.lang = "de_DE"
        # As a request of that user runs: the user's own context, language included.
        user = cls.user_a.with_user(cls.user_a)
        cls.env_de = cls.env(user=cls.user_a, context=user.context_get())

    def test_refund_dialog_in_german(self):
        wizard = self.env_de["amazon.refund.wizard"]
        self.assertIn("Grund", wizard.fields_get(["reason"])["reason"]["string"])
        arch = wizard.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn("Erstatt", arch)
        self.assertIn("Käufer bezahlt hat und noch nicht erstattet ist", arch)

    def test_message_in_german(self):
        order = self._create_amazon_order(self.account_a, "114-7100001-0000001")
        with self.assertRefused(
            "ist kein bestätigter Auftrag: Nur solche werden bei Amazon erstattet oder storniert"
        ):
            order.with_env(self.env_de).action_amazon_refund()

    def test_an_english_user_keeps_english(self):
        manager = self.manager_a.with_user(self.manager_a)
        env_en = self.env(user=self.manager_a, context=manager.context_get())
        label = env_en["amazon.refund.wizard"].fields_get(["reason"])["reason"]["string"]
        self.assertEqual(label, "Reason")
