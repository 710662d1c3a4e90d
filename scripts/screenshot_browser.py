#!/usr/bin/env python3
"""Drives headless Chromium over its DevTools protocol through the addon's main screens, logged in
as admin, and writes one PNG per screen, 1440 px wide. Run by scripts/screenshots, which starts
Odoo with the demo data and the SP-API emulator.

Usage: screenshot_browser.py CHROMIUM ODOO_URL DATABASE OUTPUT_DIR
"""

import base64
import itertools
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg2
import websocket

WIDTH, HEIGHT = 1440, 900
TIMEOUT = 60


class Browser:
    """One headless Chromium page, spoken to with DevTools commands."""

    def __init__(self, executable):
        self.profile = tempfile.mkdtemp(prefix="screenshots-chromium-")
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        command = [
            executable,
            "--headless=new",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--hide-scrollbars",
            "--no-first-run",
            "--remote-allow-origins=*",
            f"--remote-debugging-port={port}",
            f"--user-data-dir={self.profile}",
            f"--window-size={WIDTH},{HEIGHT}",
            "about:blank",
        ]
        # Chromium refuses its sandbox to root.
        if os.geteuid() == 0:
            command.insert(1, "--no-sandbox")
        self.process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        self.socket = websocket.create_connection(self._page_socket(port), timeout=TIMEOUT)
        self.ids = itertools.count(1)
        self.command(
            "Emulation.setDeviceMetricsOverride",
            width=WIDTH,
            height=HEIGHT,
            deviceScaleFactor=1,
            mobile=False,
        )

    @staticmethod
    def _page_socket(port):
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list") as answer:
                    pages = [tab for tab in json.load(answer) if tab["type"] == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.2)

    def command(self, method, **params):
        number = next(self.ids)
        self.socket.send(json.dumps({"id": number, "method": method, "params": params}))
        while True:
            message = json.loads(self.socket.recv())
            if message.get("id") == number:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message["result"]

    def evaluate(self, expression):
        result = self.command("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise RuntimeError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait(self, selector):
        """Until `selector` shows and Odoo has nothing loading, then a moment for transitions."""
        check = (
            f"!!document.querySelector({json.dumps(selector)}) && "
            "!document.querySelector('.o_loading_indicator, .o_blockUI')"
        )
        deadline = time.monotonic() + TIMEOUT
        while not self.evaluate(check):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{selector} did not show")
            time.sleep(0.25)
        time.sleep(1)

    def open(self, url, selector):
        self.command("Page.navigate", url=url)
        time.sleep(0.5)
        self.wait(selector)

    def click(self, *selectors):
        """Click the first of `selectors` that the page has."""
        for selector in selectors:
            if self.evaluate(f"!!document.querySelector({json.dumps(selector)})"):
                self.evaluate(f"document.querySelector({json.dumps(selector)}).click()")
                return
        raise RuntimeError(f"none of {selectors} on the page")

    def screenshot(self, path):
        data = self.command("Page.captureScreenshot", format="png")["data"]
        path.write_bytes(base64.b64decode(data))
        print(f"wrote {path}")

    def close(self):
        self.socket.close()
        self.process.terminate()
        self.process.wait(timeout=TIMEOUT)
        shutil.rmtree(self.profile, ignore_errors=True)


def record_ids(database):
    with psycopg2.connect(dbname=database) as connection, connection.cursor() as cursor:
        cursor.execute(
            """SELECT name, res_id FROM ir_model_data WHERE module = 'amazon_refund_cancel'
               AND name IN ('demo_order_shipped', 'demo_order_unshipped', 'demo_seller_account')"""
        )
        ids = dict(cursor.fetchall())
        cursor.execute("SELECT max(id) FROM amazon_rma")
        ids["rma"] = cursor.fetchone()[0]
    return ids


def wait_for_server(url):
    deadline = time.monotonic() + 120
    while True:
        try:
            with urllib.request.urlopen(f"{url}/web/login"):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)


def main(executable, url, database, output):
    wait_for_server(url)
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    ids = record_ids(database)
    action = f"{url}/odoo/action-amazon_refund_cancel"
    browser = Browser(executable)
    try:
        browser.open(f"{url}/web/login?db={database}", "input[name=login]")
        browser.evaluate(
            "document.querySelector('input[name=login]').value = 'admin';"
            "document.querySelector('input[name=password]').value = 'admin';"
            "document.querySelector('form.oe_login_form').submit()"
        )
        time.sleep(1)
        browser.wait(".o_main_navbar")

        order = f"{action}.action_amazon_orders/{ids['demo_order_shipped']}"
        browser.open(order, ".o_form_view .o_statusbar_buttons")
        browser.screenshot(output / "screenshot_sale_order.png")
        browser.click("button[name=action_amazon_refund]")
        browser.wait(".modal .o_form_view")
        browser.screenshot(output / "screenshot_refund_dialog.png")

        unshipped = f"{action}.action_amazon_orders/{ids['demo_order_unshipped']}"
        browser.open(unshipped, ".o_form_view .o_statusbar_buttons")
        browser.click("button[name=action_amazon_cancel]", "button[name=action_cancel]")
        browser.wait(".modal .o_form_view")
        browser.screenshot(output / "screenshot_cancel_dialog.png")

        screens = (
            ("amazon_order_request_action", ".o_list_view", "request_queue"),
            ("amazon_feed_batch_action", ".o_list_view", "batches"),
            ("action_amazon_orders", ".o_list_view", "amazon_orders"),
            (f"amazon_seller_account_action/{ids['demo_seller_account']}", ".o_form_view", None),
            (f"amazon_rma_action/{ids['rma']}", ".o_form_view", "rma"),
        )
        for path, selector, name in screens:
            browser.open(f"{action}.{path}", selector)
            browser.screenshot(output / f"screenshot_{name or 'seller_account'}.png")

        browser.open(f"{url}/odoo/action-sale.action_sale_config_settings", ".o_setting_box")
        browser.evaluate(
            "document.querySelector('#amazon_import_rma_report')"
            ".closest('.o_settings_container').previousElementSibling.scrollIntoView()"
        )
        time.sleep(1)
        browser.screenshot(output / "screenshot_settings.png")
    finally:
        browser.close()


if __name__ == "__main__":
    main(*sys.argv[1:])
