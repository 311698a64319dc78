import express, { type ErrorRequestHandler } from 'express';
import session from 'express-session';
import { Browser, listen, totp, TUTORIAL, USERS, useMockServer } from '@ropkit/test-support';
import { describe, expect, it } from 'vitest';
import { passwordLogin, type LoginResponder, type LoginResult } from '../src/index.js';

const mock = useMockServer();

/** An HTML-form app whose login routes answer through `respond`. */
async function formApp(respond: LoginResponder) {
  const login = passwordLogin({
    client: {
      tokenEndpoint: mock.server.tokenEndpoint,
      clientId: TUTORIAL.clientId,
      clientSecret: TUTORIAL.clientSecret,
    },
    respond,
  });
  const app = express();
  app.use(
    session({ secret: 'test-session-secret', resave: false, saveUninitialized: false }),
    login.tokens,
  );
  app.post('/login', login.login);
  app.post('/login/otp', login.verifyOtp);
  app.post('/logout', login.logout);
  app.get('/home', (req, res, next) => {
    req.accessToken().then(() => res.type('html').send('<p>Welcome</p>'), next);
  });
  const reachedFinalHandler: unknown[] = [];
  const record: ErrorRequestHandler = (error, _req, _res, next) => {
    reachedFinalHandler.push(error);
    next(error);
  };
  app.use(record);
  const { url } = await listen(app);
  return { browser: new Browser(url), reachedFinalHandler };
}

describe('respond(result, req, res): the app writes the answers itself', () => {
  it('turns results into redirects and pages; the session is handled all the same', async () => {
    const seen: Array<[LoginResult, string]> = [];
    const { browser } = await formApp((result, req, res) => {
      seen.push([result, `${req.method} ${req.path}`]);
      if (result.status === 'signed_in') res.redirect(303, '/home');
      else if (result.status === 'signed_out') res.redirect(303, '/');
      else if (result.status === 'mfa_required') res.type('html').send('<form>Code?</form>');
      else res.redirect(303, `/login?error=${result.status}`);
    });

    const wrong = await browser.postForm('/login', {
      username: USERS.mfa.email,
      password: 'CANARY-wrong-password',
    });
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe('/login?error=invalid_credentials');
    expect(await wrong.text()).not.toContain('CANARY-wrong-password');

    const mfa = await browser.postForm('/login', {
      username: USERS.mfa.email,
      password: USERS.mfa.password,
    });
    expect(mfa.status).toBe(200);
    expect(await mfa.text()).toBe('<form>Code?</form>');
    expect((await browser.fetch('/home')).status).toBe(401);

    const otp = totp(USERS.mfa.totpSecret, await mock.server.control.now());
    const done = await browser.postForm('/login/otp', { otp });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/home');
    expect(await (await browser.fetch('/home')).text()).toBe('<p>Welcome</p>');

    const out = await browser.fetch('/logout', { method: 'POST' });
    expect([out.status, out.headers.get('location')]).toEqual([303, '/']);
    expect((await browser.fetch('/home')).status).toBe(401);

    expect(seen).toEqual([
      [{ status: 'invalid_credentials', message: 'Wrong email or password' }, 'POST /login'],
      [{ status: 'mfa_required', factors: ['otp'] }, 'POST /login'],
      [{ status: 'signed_in' }, 'POST /login/otp'],
      [{ status: 'signed_out' }, 'POST /logout'],
    ]);
  });

  it('an error respond throws goes to next(err)', async () => {
    const failure = new Error('the template is missing');
    const { browser, reachedFinalHandler } = await formApp(() => {
      throw failure;
    });
    const response = await browser.postForm('/login', {
      username: TUTORIAL.username,
      password: TUTORIAL.password,
    });
    expect(response.status).toBe(500);
    expect(reachedFinalHandler).toEqual([failure]);
  });
});
