from odoo import Command, api, models

from ..compat import field_name

MODULE = "amazon_refund_cancel"


class ResGroups(models.Model):
    _inherit = "res.groups"

    @api.model
    def _amazon_set_access(self):
        """Where the addon's groups are chosen in a user's form, who has the manager group from
        the start, and who sees Link Amazon Order among the actions of orders. 18.0 and 19.0 say
        this with fields of different names, and 19.0 chooses groups by privilege where 18.0 does
        by category, so the data calls this at every install and update instead of saying it."""
        user = self.env.ref(f"{MODULE}.group_amazon_user")
        manager = self.env.ref(f"{MODULE}.group_amazon_manager")
        groups = user | manager
        category = self.env.ref(f"{MODULE}.module_category_amazon")
        if "privilege_id" in self._fields:
            groups.privilege_id = self._amazon_privilege(category)
        else:
            groups.category_id = category
        founders = self.env.ref("base.user_root") | self.env.ref("base.user_admin")
        founders.write({field_name(founders, "groups_id"): [Command.link(manager.id)]})
        action = self.env.ref(f"{MODULE}.action_amazon_link_orders")
        action[field_name(action, "groups_id")] = [Command.set(user.ids)]

    def _amazon_privilege(self, category):
        """The addon's privilege, shown in its category's parent section. Its external id is
        the addon's, written at every install and update as a record of the data is, so that
        the update keeps it and uninstalling removes it."""
        xmlid = f"{MODULE}.privilege_amazon"
        values = {
            "name": category.name,
            "category_id": category.parent_id.id,
            "sequence": category.sequence,
        }
        privilege = self.env.ref(xmlid, raise_if_not_found=False)
        if privilege:
            privilege.write(values)
        else:
            privilege = self.env["res.groups.privilege"].create(values)
        self.env["ir.model.data"]._update_xmlids([{"xml_id": xmlid, "record": privilege}])
        return privilege
