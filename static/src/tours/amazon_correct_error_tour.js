import { registry } from "@web/core/registry";

// Starts on a refund in error asking $500.00 of a $20.00 mug (tests/test_tours.py): Correct is
// its next step, the amounts say why, and the dialog corrects it.
// 4 clicks: Correct, the price cell, Amazon Refund and Confirm Refund.
registry.category("web_tour.tours").add("amazon_correct_error", {
    steps: () => [
        {
            content: "The amounts say why it fails",
            trigger: ".o_form_view .alert-danger .o_field_widget[name=correction_note]:contains(500.00)",
        },
        {
            content: "Correct is the next step",
            trigger: ".o_form_view .o_statusbar_buttons button.btn-primary[name=action_correct]",
            run: "click",
        },
        {
            content: "The dialog says it corrects the request",
            trigger: ".modal .o_field_widget[name=request_heading]:contains(Correcting)",
        },
        {
            content: "Edit the price",
            trigger: ".modal .o_data_row:has(.o_data_cell:contains(MUG)) .o_data_cell[name=amount_principal]",
            run: "click",
        },
        {
            content: "What is left to refund",
            trigger: ".modal .o_data_row.o_selected_row .o_data_cell[name=amount_principal] input",
            run: "edit 20.00",
        },
        {
            content: "Leave the line",
            trigger: ".modal .modal-title",
            run: "click",
        },
        {
            content: "Review the correction",
            trigger: ".modal .modal-footer button[name=action_review]",
            run: "click",
        },
        {
            content: "Confirm it",
            trigger: ".modal .modal-footer button[name=action_refund]",
            run: "click",
        },
        {
            content: "The request is queued again",
            trigger: ".o_form_view:not(:has(.modal)) .o_statusbar_status .o_arrow_button_current:contains(Queued)",
        },
    ],
});
