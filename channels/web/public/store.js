// The demo store page's own script: kept out of the page so its CSP needs no inline script.
// The store's own button opens the widget through its launcher; the widget needs no API for this.
document.getElementById('open-assistant').addEventListener('click', function () {
  var launcher = document.querySelector('#shopbot-widget .sb-launcher');
  if (launcher && launcher.getAttribute('aria-expanded') !== 'true') launcher.click();
});
