import { registry } from "@web/core/registry";

// A returns report of order 114-7000004-0000004 (tests/test_tours.py), as Seller Central writes
// it: tab-separated, one approved return of one mug.
const RETURNS_REPORT = [
    [
        "Order ID",
        "Amazon RMA ID",
        "Return request status",
        "Merchant SKU",
        "Return quantity",
        "Return Reason",
        "In policy",
        "Resolution",
    ],
    [
        "114-7000004-0000004",
        "DTOURRMA01",
        "Approved",
        "MUG",
        "1",
        "CR-UNWANTED_ITEM",
        "Y",
        "StandardRefund",
    ],
]
    .map((row) => row.join("\t"))
    .join("\n");

registry.category("web_tour.tours").add("amazon_rma_import_receive", {
    steps: () => [
        {
            content: "Open the Amazon menu",
            trigger: ".o_main_navbar [data-menu-xmlid='amazon_refund_cancel.menu_amazon_root']",
            run: "click",
        },
        {
            content: "Import returns",
            trigger: "[data-menu-xmlid='amazon_refund_cancel.menu_amazon_rma_import']",
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
                const file = new File([RETURNS_REPORT], "returns.txt", { type: "text/plain" });
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
            content: "The import created one RMA",
            trigger: ".modal .o_field_widget[name=created_count]:contains(1)",
        },
        {
            content: "Close the import result",
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Open the imported RMA",
            trigger: "body:not(:has(.modal)) .o_list_view .o_data_row .o_data_cell:contains(DTOURRMA01)",
            run: "click",
        },
        {
            content: "Receive",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_receive].btn-primary",
            run: "click",
        },
        {
            content: "Odoo's return of the delivery opens",
            trigger: ".o_form_view .o_field_widget[name=picking_type_id]",
        },
    ],
});
