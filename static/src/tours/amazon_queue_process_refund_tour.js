import { registry } from "@web/core/registry";

// Starts on the queue with a queued refund of order 114-7000003-0000003 (tests/test_tours.py).
registry.category("web_tour.tours").add("amazon_queue_process_refund", {
    steps: () => [
        {
            content: "Select the queued refund",
            trigger: ".o_list_view .o_data_row:contains(114-7000003-0000003) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Process Refund",
            trigger: ".o_control_panel button[name=action_process_refunds]",
            run: "click",
        },
        {
            content: "Amazon's batch is named",
            trigger: ".o_notification:contains(AMZB)",
        },
    ],
});
