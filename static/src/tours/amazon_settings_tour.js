import { registry } from "@web/core/registry";
import { reloadingStep } from "./amazon_tour_steps";

const SETTING = "#amazon_allow_over_refund .o_field_widget[name=amazon_allow_over_refund] input";

registry.category("web_tour.tours").add("amazon_settings", {
    steps: () => [
        {
            content: "Allow over-refunds",
            trigger: SETTING,
            run: "check",
        },
        {
            content: "Mark the page, which saving reloads",
            trigger: "body",
            run() {
                document.body.dataset.amazonSaving = "1";
            },
        },
        reloadingStep({
            content: "Save",
            trigger: ".o_control_panel .o_form_button_save",
            run: "click",
        }),
        {
            content: "Saved: the reloaded page shows the setting on",
            trigger: `body:not([data-amazon-saving]) ${SETTING}:checked`,
        },
    ],
});
