// The push page's poller, served from this origin (the page's Content-Security-Policy allows
// `script-src 'self'` and nothing inline). It posts the page's own form (CSRF token included) to
// /login/push after the Retry-After the page was answered with, and again after each 202 with
// that answer's Retry-After, until the wait ends: a redirect (signed in) is followed, any other
// page (a recovery code to save, a denial) replaces this one. Without script, the form's "I
// approved it" button posts the same form.
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
  if (response.redirected) {
    // Signed in: read to the end (leaving would abort the request), then go there for real.
    await response.text();
    window.location.assign(response.url);
    return;
  }
  // What ends the wait without a redirect is a whole page: show it instead of this one.
  const page = new DOMParser().parseFromString(await response.text(), 'text/html');
  document.title = page.title;
  document.body.replaceWith(document.adoptNode(page.body));
}

function schedule(wait) {
  window.setTimeout(() => void poll(wait), wait * 1000);
}

if (form instanceof HTMLFormElement) schedule(seconds(form.dataset.retryAfter, 5));
