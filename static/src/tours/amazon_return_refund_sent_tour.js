import { registry } from "@web/core/registry";

// Starts on the RMA DTOURRMA06 of order 114-7000006-0000006 (tests/test_tours.py), whose company
// sends the refunds of its rules when a return is received: receive it and validate the return,
// and the refund is sent. Each click is counted: the whole way takes at most MAX_CLICKS.
const MAX_CLICKS = 4;
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

registry.category("web_tour.tours").add("amazon_return_refund_sent", {
    steps: () => [
        {
            content: "Start counting",
            trigger: ".o_form_view .o_field_widget[name=amazon_rma_number]:contains(DTOURRMA06)",
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
            trigger: ".o_form_view:not(:has(button[name=button_validate])) .o_breadcrumb .breadcrumb-item a:contains(DTOURRMA06)",
        }),
        {
            content: "The RMA says the refund is sent; Receive and Issue Refund are not next steps",
            trigger: ".o_form_view:not(:has(.o_statusbar_buttons button[name=action_receive])):not(:has(.o_statusbar_buttons button.btn-primary[name=action_issue_refund])) .alert-success:contains(sent)",
            run() {
                console.log(`amazon_return_refund_sent clicks: ${clicks}`);
                if (clicks > MAX_CLICKS) {
                    throw new Error(`${clicks} clicks from return to refund, more than ${MAX_CLICKS}`);
                }
            },
        },
    ],
});
