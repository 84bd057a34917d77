// Behaviour shared by the portal's pages. The Content-Security-Policy forbids inline
// handlers (onclick="…"), so templates mark elements with data attributes instead:
//   data-print                       a button that prints the page;
//   data-submit-on-change="<field>"  a select that submits its form when changed, after
//                                    clearing the named field (e.g. the class of another school).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) {
    window.print();
  }
});

document.addEventListener("change", (event) => {
  const select = event.target.closest("select[data-submit-on-change]");
  if (!select || !select.form) {
    return;
  }
  const cleared = select.form.elements.namedItem(select.dataset.submitOnChange);
  if (cleared) {
    cleared.value = "";
  }
  select.form.submit();
});
