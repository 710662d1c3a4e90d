import { registry } from "@web/core/registry";

const COLUMNS = [
    "settlement-id",
    "settlement-start-date",
    "settlement-end-date",
    "deposit-date",
    "total-amount",
    "currency",
    "transaction-type",
    "order-id",
    "merchant-order-id",
    "adjustment-id",
    "shipment-id",
    "marketplace-name",
    "amount-type",
    "amount-description",
    "amount",
    "fulfillment-id",
    "posted-date",
    "posted-date-time",
    "order-item-code",
    "merchant-order-item-id",
    "merchant-adjustment-item-id",
    "sku",
    "quantity-purchased",
    "promotion-id",
];

function row(values) {
    return COLUMNS.map((column) => values[column] || "").join("\t");
}

// A V2 flat file settlement as Seller Central writes it: its summary line, then one sale.
const SETTLEMENT = [
    COLUMNS.join("\t"),
    row({
        "settlement-id": "91000000001",
        "settlement-start-date": "2026-11-01 00:00:00 UTC",
        "settlement-end-date": "2026-11-15 00:00:00 UTC",
        "deposit-date": "2026-11-17 00:00:00 UTC",
        "total-amount": "20.00",
        currency: "USD",
    }),
    row({
        "settlement-id": "91000000001",
        "transaction-type": "Order",
        "order-id": "114-7000009-0000009",
        "marketplace-name": "Amazon.com",
        "amount-type": "ItemPrice",
        "amount-description": "Principal",
        amount: "20.00",
        "fulfillment-id": "MFN",
        "posted-date": "2026-11-02",
        "posted-date-time": "2026-11-02 10:00:00 UTC",
        "order-item-code": "00000010000009",
        sku: "MUG",
        "quantity-purchased": "1",
    }),
].join("\n");

registry.category("web_tour.tours").add("amazon_settlement_import", {
    steps: () => [
        {
            content: "The empty list says how settlements come in",
            trigger: ".o_view_nocontent:contains(No settlement yet):contains(Download Flat File V2)",
        },
        {
            content: "Import Settlement from the empty list",
            trigger: ".o_view_nocontent a[type=action]:contains(Import Settlement)",
            run: "click",
        },
        {
            content: "Choose the seller account",
            trigger: ".modal .o_field_widget[name=seller_account_id] input",
            run: "edit A1SELLERA",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(A1SELLERA)",
            run: "click",
        },
        {
            content: "Give the file",
            trigger: ".modal .o_field_widget[name=file]",
            run() {
                const input = this.anchor.querySelector("input[type=file]");
                const file = new File([SETTLEMENT], "settlement.txt", { type: "text/plain" });
                const transfer = new DataTransfer();
                transfer.items.add(file);
                input.files = transfer.files;
                input.dispatchEvent(new Event("change", { bubbles: true }));
            },
        },
        {
            content: "Wait for the upload",
            trigger: ".modal .o_field_widget[name=file] .o_clear_file_button",
        },
        {
            content: "Import",
            trigger: ".modal .modal-footer button[name=action_import]",
            run: "click",
        },
        {
            content: "The imported settlement opens",
            trigger: "body:not(:has(.modal)) .o_form_view .o_field_widget[name=settlement_ref]:contains(91000000001)",
        },
    ],
});
