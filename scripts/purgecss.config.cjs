// Bootstrap as our pages use it: `make css` keeps the rules whose selectors name a class, id
// or element found in our templates, our JavaScript, the Python that sets classes on form
// widgets, and the crispy-forms Bootstrap 5 templates our `|crispy` and `crispy_field` use;
// the output is committed. Classes a template assembles from a variable ("alert-{{ tags }}")
// are kept by the safelist. Using a new crispy layout object or Bootstrap component means
// adding its template here and running `make css` again.
const crispy = `${process.env.CRISPY_SITE}/crispy_bootstrap5/templates/bootstrap5`; // from the Makefile
const crispyTemplates = [
  "uni_form.html", "errors.html", "field.html", "display_form.html",
  "layout/attrs.html", "layout/field_errors.html", "layout/field_errors_block.html",
  "layout/field_file.html", "layout/help_text.html", "layout/help_text_and_errors.html",
  "layout/radio_checkbox_select.html",
];
module.exports = {
  content: [
    "templates/**/*.html",
    "static/js/*.js",
    "assessment/**/forms.py",
    "assessment/templatetags/*.py",
    ...crispyTemplates.map((name) => `${crispy}/${name}`),
  ],
  css: ["static/vendor/bootstrap/bootstrap.min.css"],
  output: "static/vendor/bootstrap/bootstrap.app.min.css",
  safelist: {
    // messages' tags (templates/base.html) and the priority badges (the results page)
    standard: [/^alert-(success|info|warning|danger)$/, /^text-bg-(dark|danger|warning|secondary)$/],
    deep: [],
    greedy: [],
    variables: [/^--bs-form-invalid-/], // read by static/css/app.css
  },
  // Custom properties no kept rule reads go too (static/css/app.css's are in the safelist).
  variables: true,
  keyframes: false,
  fontFace: false,
};
