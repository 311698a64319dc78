// The push page's poller, served from this origin (the page's Content-Security-Policy allows
// `script-src 'self'` and nothing inline). It posts the page's own form (CSRF token included) to
// /login/push after the Retry-After the page was answered with, and again after each 202 with
// that answer's Retry-After, until the wait ends: the page that ends it replaces this one, be it
// where a finished sign-in is redirected (the home page, or after a step-up the page that asked
// for it), a recovery code to save or a denial. Without script, the form's "I approved it" button
// posts the same form.
const form = document.querySelector('#push-poll');
const status = document.querySelector('#push-status');

/** Seconds from a Retry-After value, within 1 to 60; `fallback` when it is not a number. */
function seconds(value, fallback) {
  const parsed = Number(value);
  return Number.isFinite(parsed) && parsed >= 1 ? Math.min(parsed, 60) : fallback;
}

function say(text) {
  if (status !== null) status.textContent = text;
}

async function poll(wait) {
  let response;
  try {
    response = await fetch(form.action, {
      method: 'POST',
      body: new URLSearchParams(new FormData(form)),
      credentials: 'same-origin',
    });
  } catch {
    say('The connection was lost. Trying again…');
    schedule(wait);
    return;
  }
  if (response.status === 202) {
    schedule(seconds(response.headers.get('retry-after'), wait));
    return;
  }
  // What ends the wait is a whole page: show it instead of this one. A redirect was followed by
  // fetch already: loading its target again would repeat what that page did (the "Call the API"
  // page, where a step-up sends the user back, calls the API), so only its URL is taken.
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  if (response.redirected) window.history.replaceState(null, '', response.url);
  document.title = page.title;
  document.body.replaceWith(document.adoptNode(page.body));
}

function schedule(wait) {
  window.setTimeout(() => void poll(wait), wait * 1000);
}

if (form instanceof HTMLFormElement) schedule(seconds(form.dataset.retryAfter, 5));
