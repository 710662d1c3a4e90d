from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class AmazonRmaReceiveWizard(models.TransientModel):
    """Receive: the condition each returned item came back in, then Odoo's returns of the
    order's deliveries, one per destination."""

    _name = "amazon.rma.receive.wizard"
    _description = "Receive Amazon Return"

    rma_id = fields.Many2one("amazon.rma", required=True, readonly=True, ondelete="cascade")
    line_ids = fields.One2many("amazon.rma.receive.wizard.line", "wizard_id", string="Items")

    @api.model
    def _check_receiver(self, rma):
        """Amazon users and warehouse users of the RMA's company record what came back."""
        user = self.env.user
        allowed = self.env.su or (
            rma.company_id in user.company_ids
            and (
                user.has_group("amazon_refund_cancel.group_amazon_user")
                or user.has_group("stock.group_stock_user")
            )
        )
        if not allowed:
            raise AccessError(
                self.env._(
                    "Only Amazon users and warehouse users of %(company)s receive its returns.",
                    company=rma.company_id.name,
                )
            )

    @api.model
    def _open_for(self, rma):
        """The dialog for the RMA's items not received yet."""
        self._check_receiver(rma)
        pending = rma.sudo()._amazon_lines_to_receive()
        if not pending:
            raise UserError(
                self.env._(
                    "The condition of every item of %(rma)s is recorded: there is nothing "
                    "left to receive.",
                    rma=rma.display_name,
                )
            )
        wizard = self.sudo().create(
            {
                "rma_id": rma.id,
                "line_ids": [
                    fields.Command.create({"rma_line_id": line.id, "condition": "sellable"})
                    for line in pending
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Receive %(rma)s", rma=rma.display_name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_receive(self):
        self.ensure_one()
        rma = self.rma_id.sudo()
        self._check_receiver(rma)
        lines = self.sudo().line_ids
        if any(not line.condition for line in lines):
            raise UserError(self.env._("Choose the condition of every item."))
        foreign = lines.rma_line_id - rma.line_ids
        if foreign or lines.rma_line_id.filtered("condition"):
            raise UserError(
                self.env._(
                    "Some items are not items of %(rma)s still to receive.", rma=rma.display_name
                )
            )
        for condition, condition_lines in lines.grouped("condition").items():
            condition_lines.rma_line_id.write({"condition": condition})
        pickings = rma._create_returns(lines.rma_line_id)
        if not pickings:
            # Nothing to validate in stock: what came back is known now.
            rma._amazon_on_return_received()
            return {"type": "ir.actions.act_window_close"}
        return rma.with_env(self.env)._action_view_pickings(pickings.with_env(self.env))
