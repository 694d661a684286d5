// ESLint's configuration for the playground's JavaScript (run by tests/test_js_lint.py, which
// copies this file beside the installed packages): the recommended rules, ES modules in a
// browser, the Web Worker's globals for tables-worker.js. Formatting is Prettier's (prettier.json).
import js from "@eslint/js";
import globals from "globals";

export default [
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2024, sourceType: "module", globals: globals.browser },
    linterOptions: { reportUnusedDisableDirectives: "error" },
    rules: {
      "no-unused-vars": ["error", { caughtErrors: "none" }],
      eqeqeq: "error",
      "prefer-const": "error",
      "no-var": "error",
    },
  },
  { files: ["**/*-worker.js"], languageOptions: { globals: globals.worker } },
];
