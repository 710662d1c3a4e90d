import { registry } from "@web/core/registry";

// Starts on the queue with a queued refund of order 114-7000003-0000003 and a queued
// cancellation of order 114-7000006-0000006 (tests/test_tours.py): one Process sends both,
// each in its own batch. 3 clicks: two selections and Process.
registry.category("web_tour.tours").add("amazon_queue_process", {
    steps: () => [
        {
            content: "Select the queued refund",
            trigger: ".o_list_view .o_data_row:contains(114-7000003-0000003) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Select the queued cancellation",
            trigger: ".o_list_view .o_data_row:contains(114-7000006-0000006) .o_list_record_selector input",
            run: "click",
        },
        {
            content: "Process both",
            trigger: ".o_control_panel button[name=action_process]",
            run: "click",
        },
        {
            content: "Both went to Amazon, each in its own batch",
            trigger: ".o_notification:contains(1 refund and 1 cancellation in batches)",
        },
        {
            content: "The processed requests are still listed",
            trigger: ".o_list_view .o_data_row:contains(114-7000006-0000006)",
        },
    ],
});
