import { registry } from "@web/core/registry";
import { chooseInSelection } from "./amazon_tour_steps";

// Starts on an Amazon order shipped and invoiced (tests/test_tours.py): one line of 2 mugs at
// $20.00 with 10% tax. Refunds one returned mug, keeping a $4.00 restocking fee: the Fee Kept
// column shows without changing the columns, and $20.00 + $2.00 - $4.00 makes To Refund Now.
// 8 clicks: Issue Refund, the reason, four cells, Amazon Refund and Confirm Refund (the tour
// also clicks the title to leave the line, which a user need not).
registry.category("web_tour.tours").add("amazon_refund_fee", {
    steps: () => [
        {
            content: "Open the refund dialog",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_amazon_refund]",
            run: "click",
        },
        ...chooseInSelection(
            "A returned item",
            ".modal .o_field_widget[name=reason]",
            "CustomerReturn",
            "Customer return"
        ),
        {
            content: "Edit the mug's line",
            trigger: ".modal .o_data_row:has(.o_data_cell:contains(MUG)) .o_data_cell[name=quantity]",
            run: "click",
        },
        {
            content: "One unit",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=quantity] input",
            run: "edit 1",
        },
        {
            content: "Its price",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=amount_principal] input",
            run: "edit 20.00",
        },
        {
            content: "Its tax",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=amount_tax] input",
            run: "edit 2.00",
        },
        {
            content: "The fee kept, in a column shown by default",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=amount_restocking_fee] input",
            run: "edit 4.00",
        },
        {
            content: "Leave the line",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "The line's To Refund Now is price + tax - fee",
            trigger: ".modal .o_data_row:has(.o_data_cell:contains(MUG)) .o_data_cell[name=amount_total]:contains(18.00)",
        },
        {
            content: "Review the refund",
            trigger: ".modal .modal-footer button[name=action_review]",
            run: "click",
        },
        {
            content: "The confirmation states the amount and the buyer",
            trigger: ".modal .o_field_widget[name=confirmation]:contains(18.00):contains(Amazon Buyer)",
        },
        {
            content: "Confirm the refund",
            trigger: ".modal .modal-footer button[name=action_refund]",
            run: "click",
        },
        {
            content: "The order counts its Amazon request",
            trigger: ".o_form_view:not(:has(.modal)) button[name=action_view_amazon_requests]",
        },
    ],
});
