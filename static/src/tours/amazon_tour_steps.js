/**
 * Steps the tours share where Odoo 18.0 and 19.0 differ, told apart by what the running web
 * client has loaded.
 */

// 19.0's tour runner lives in web_tour/js/ and fails a step that reloads the page unless the
// step says so; 18.0's refuses that key.
function runnerExpectsUnload() {
    return odoo.loader.modules.has("@web_tour/js/tour_service");
}

/** `step`, which reloads the page. */
export function reloadingStep(step) {
    return runnerExpectsUnload() ? { ...step, expectUnloadPage: true } : step;
}

/**
 * Steps choosing `value`, shown as `label`, in the selection field `field` (a selector): 18.0
 * shows a <select>, 19.0 a menu its button opens.
 */
export function chooseInSelection(content, field, value, label) {
    return [
        {
            content,
            trigger: `${field} select, ${field} .o_select_menu_toggler`,
            async run(helpers) {
                if (this.anchor.tagName === "SELECT") {
                    // 18.0's options hold their values as JSON.
                    await helpers.select(JSON.stringify(value));
                } else {
                    await helpers.click();
                }
            },
        },
        {
            content: `${content}: ${label}`,
            trigger: `${field} select, .o_select_menu_item:contains("${label}")`,
            async run(helpers) {
                if (this.anchor.tagName !== "SELECT") {
                    await helpers.click();
                }
            },
        },
    ];
}
