// Light or dark pages, following the system setting: Bootstrap's colour modes read data-bs-theme on <html>.
// A plain script in <head> (not a module), so the mode is set before the page is first drawn: no white flash.
(function () {
  if (!window.matchMedia) return;
  var dark = window.matchMedia('(prefers-color-scheme: dark)');
  function apply() {
    document.documentElement.setAttribute('data-bs-theme', dark.matches ? 'dark' : 'light');
  }
  apply();
  if (dark.addEventListener) {
    dark.addEventListener('change', apply);
  } else if (dark.addListener) {
    dark.addListener(apply); // Safari before 14
  }
})();
