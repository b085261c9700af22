// The poster's print button (a script file rather than an inline handler, which the Content
// Security Policy refuses).
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
});
