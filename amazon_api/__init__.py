"""The Amazon seam: the only code that talks to Amazon or knows its formats. No Odoo import."""
