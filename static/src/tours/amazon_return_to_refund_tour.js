import { registry } from "@web/core/registry";

// Starts on the RMA DTOURRMA05 of order 114-7000005-0000005 (tests/test_tours.py), whose seller
// account proposes refunds by rules: receive it, validate the return, review the proposal and
// send the refund. Each click is counted: the whole way takes at most MAX_CLICKS.
const MAX_CLICKS = 8;
let clicks = 0;

function click(step) {
    return {
        ...step,
        async run(actions) {
            clicks++;
            await actions.click();
        },
    };
}

registry.category("web_tour.tours").add("amazon_return_to_refund", {
    steps: () => [
        {
            content: "Start counting",
            trigger: ".o_form_view .o_field_widget[name=amazon_rma_number]:contains(DTOURRMA05)",
            run() {
                clicks = 0;
            },
        },
        click({
            content: "Receive is the first step",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_receive].btn-primary",
        }),
        click({
            content: "Receive the item as sold",
            trigger: ".modal:has(.o_field_widget[name=line_ids] .o_data_row) footer button[name=action_receive]",
        }),
        click({
            content: "Validate Odoo's return",
            trigger: ".o_form_view .o_statusbar_buttons button[name=button_validate]",
        }),
        click({
            content: "Back to the RMA once the return is done",
            trigger: ".o_form_view:not(:has(button[name=button_validate])) .o_breadcrumb .breadcrumb-item a:contains(DTOURRMA05)",
        }),
        {
            content: "The RMA says a refund is proposed",
            trigger: ".o_form_view .alert-success:contains(proposed: review it)",
        },
        click({
            content: "Review Refund is the next step",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_review_proposal].btn-primary",
        }),
        {
            content: "The dialog says who confirms a proposal",
            trigger: ".modal .o_field_widget[name=review_note]:contains(only an Amazon manager)",
        },
        click({
            content: "Refund",
            trigger: ".modal footer button[name=action_review]",
        }),
        click({
            content: "Confirm the refund",
            trigger: ".modal footer button[name=action_refund]",
        }),
        {
            content: "The refund is requested",
            trigger: ".o_notification:contains(Refund requested)",
            run() {
                console.log(`amazon_return_to_refund clicks: ${clicks}`);
                if (clicks > MAX_CLICKS) {
                    throw new Error(`${clicks} clicks from return to refund, more than ${MAX_CLICKS}`);
                }
            },
        },
    ],
});
