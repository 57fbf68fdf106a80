// Keyboard: "/" focuses the global search unless the user is typing somewhere.
document.addEventListener("keydown", function (event) {
  if (event.key !== "/" || event.ctrlKey || event.metaKey || event.altKey) return;
  const tag = (document.activeElement && document.activeElement.tagName) || "";
  if (["INPUT", "TEXTAREA", "SELECT"].includes(tag) || document.activeElement.isContentEditable) return;
  const box = document.getElementById("global-search");
  if (box) { event.preventDefault(); box.focus(); }
});
