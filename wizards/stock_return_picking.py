from odoo import models


class StockReturnPicking(models.TransientModel):
    _inherit = "stock.return.picking"

    def _prepare_picking_default_values(self):
        values = super()._prepare_picking_default_values()
        # Receive of an Amazon RMA sends units that cannot be sold again elsewhere.
        location = self.env.context.get("amazon_return_location_id")
        if location:
            values["location_dest_id"] = location
        return values
