/** @type {import('prettier').Config} */
// OCA's settings for Odoo 18.0, with the addon's 4-space indent and 100-column lines.
const config = {
  plugins: [require.resolve("@prettier/plugin-xml")],
  bracketSpacing: false,
  printWidth: 100,
  tabWidth: 4,
  proseWrap: "always",
  semi: true,
  trailingComma: "es5",
  xmlWhitespaceSensitivity: "preserve",
};

module.exports = config;
