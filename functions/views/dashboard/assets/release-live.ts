/**
 * The release page's live updates, as text: served by `GET /assets/release-live.js`
 * (same origin, so the CSP's `script-src 'self'` admits it and nothing inline).
 * A TS module rather than a .js file so esbuild bundles it into the Lambda.
 *
 * Every 2 s while the release is not finished (and the tab is visible) it asks
 * `GET /releases/:id/live` for the graph and stages, swaps them in when they
 * changed (keeping open log tails open), and says what changed in the polite
 * status region. It stops when the fragment says the release finished, or
 * when the answer is not the fragment (signed out, gone).
 */
export const RELEASE_LIVE_JS = `(function () {
  'use strict';
  var root = document.querySelector('[data-live-src]');
  if (!root) return;
  var src = root.getAttribute('data-live-src');
  var status = document.getElementById('live-status');
  var last = root.innerHTML;
  var finished = function () { return !!root.querySelector('[data-finished="true"]'); };
  var summary = function () { var el = root.querySelector('[data-summary]'); return el ? el.getAttribute('data-summary') : ''; };
  var said = summary();
  function swap(html) {
    var open = [];
    root.querySelectorAll('details[open][id]').forEach(function (d) { open.push(d.id); });
    root.innerHTML = html;
    last = html;
    open.forEach(function (id) { var d = document.getElementById(id); if (d) d.open = true; });
    var now = summary();
    if (status && now && now !== said) status.textContent = now;
    said = now;
  }
  function tick() {
    if (finished()) return;
    if (document.hidden) { setTimeout(tick, 2000); return; }
    fetch(src, { credentials: 'same-origin', cache: 'no-store', headers: { accept: 'text/html' } })
      .then(function (res) {
        if (!res.ok || res.headers.get('x-gatekeeper-fragment') !== 'release-live') return null;
        return res.text();
      })
      .then(function (html) {
        if (html === null) return;
        if (html !== last) swap(html);
        setTimeout(tick, 2000);
      }, function () { setTimeout(tick, 5000); });
  }
  setTimeout(tick, 2000);
})();
`;
