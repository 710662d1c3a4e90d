import { registry } from "@web/core/registry";
import { chooseInSelection } from "./amazon_tour_steps";

// Starts on a confirmed Amazon order not shipped yet (tests/test_tours.py): 2 mugs and 1 T-shirt.
// Cancels the T-shirt's line from the line itself: the dialog starts with that line only.
// 4 clicks: the line's cancel button, the reason, Amazon Cancel Order, Confirm Cancellation.
registry.category("web_tour.tours").add("amazon_cancel_line", {
    steps: () => [
        {
            content: "Cancel the T-shirt's line",
            trigger: ".o_form_view .o_data_row:has(.o_data_cell:contains(TEE)) button[name=action_amazon_cancel]",
            run: "click",
        },
        {
            content: "The mugs stay",
            trigger: ".modal .o_data_row:has(.o_data_cell:contains(MUG)) .o_data_cell[name=quantity]:contains(0.00)",
        },
        {
            content: "No trash icon beside the quantity",
            trigger: ".modal .o_field_widget[name=line_ids]:not(:has(.o_list_record_remove))",
        },
        ...chooseInSelection(
            "Choose Amazon's reason",
            ".modal .o_field_widget[name=reason]",
            "NoInventory",
            "No stock"
        ),
        {
            content: "Review the cancellation",
            trigger: ".modal .modal-footer button[name=action_review]",
            run: "click",
        },
        {
            content: "The confirmation names units, order and buyer",
            trigger: ".modal .o_field_widget[name=confirmation]:contains(1 unit):contains(114-7000002-0000002):contains(Amazon Buyer)",
        },
        {
            content: "Confirm",
            trigger: ".modal .modal-footer button[name=action_cancel_order]",
            run: "click",
        },
        {
            content: "The order waits for Amazon",
            trigger: ".o_form_view:not(:has(.modal)) button[name=action_view_amazon_requests]",
        },
    ],
});
