// The tableau's grid (« Modifier le tableau »): leaving the page with amounts typed and not
// saved asks first. A static file, not an inline script: the Content-Security-Policy refuses
// those. The server marks a page shown again after a refusal (data-non-enregistre="oui"): what
// it shows was typed and is not saved either.
document.addEventListener("DOMContentLoaded", () => {
  const grille = document.querySelector("form.grille");
  if (!grille) {
    return;
  }
  let modifiee = grille.dataset.nonEnregistre === "oui";
  let envoyee = false;
  grille.addEventListener("input", () => {
    modifiee = true;
  });
  grille.addEventListener("submit", () => {
    envoyee = true;
  });
  window.addEventListener("beforeunload", (evenement) => {
    if (modifiee && !envoyee) {
      evenement.preventDefault();
      evenement.returnValue = ""; // older browsers ask only when a value is set
    }
  });
});
