import { registry } from "@web/core/registry";

// Starts on a confirmed Amazon order not shipped yet (tests/test_tours.py): 2 mugs and 1 T-shirt.
// Cancels the T-shirt's line only.
registry.category("web_tour.tours").add("amazon_cancel_line", {
    steps: () => [
        {
            content: "Open the cancel dialog",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_amazon_cancel]",
            run: "click",
        },
        {
            content: "Choose Amazon's reason",
            trigger: ".modal .o_field_widget[name=reason] select",
            run: 'select "NoInventory"',
        },
        {
            content: "Edit the mug's line",
            trigger: ".modal .o_data_row:has(.o_data_cell:contains(MUG)) .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "Keep the mugs",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=quantity] input",
            run: "edit 0",
        },
        {
            content: "Cancel the rest",
            trigger: ".modal .modal-footer button[name=action_cancel_order]",
            run: "click",
        },
        {
            content: "Confirm",
            trigger: ".modal:not(:has(.o_form_view)) .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "The order waits for Amazon",
            trigger: ".o_form_view:not(:has(.modal)) button[name=action_view_amazon_requests]",
        },
    ],
});
