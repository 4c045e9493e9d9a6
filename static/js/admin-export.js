// The « tout sélectionner » box of django-import-export's export page, bound here rather than
// in an onchange attribute: the Content-Security-Policy refuses inline scripts.
// onSelectToggleChange comes from import_export/export_selectable_fields.js, loaded before.
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((bascule) => {
    bascule.addEventListener("change", onSelectToggleChange);
  });
});
