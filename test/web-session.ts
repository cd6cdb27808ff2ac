import type { Server } from 'node:http';
import request from 'supertest';

/** What a browser sends as Accept for a page: HTML first. */
export const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';
/** The password the user factory gives every test user. */
export const FACTORY_PASSWORD = 'correct horse battery';

/** The Set-Cookie headers of a response, always as a list. */
export function setCookies(res: request.Response): string[] {
  const v = res.headers['set-cookie'] as string[] | string | undefined;
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}
/** The Set-Cookie header of one cookie, with its attributes. */
export const cookieNamed = (res: request.Response, name: string): string | undefined => setCookies(res).find((c) => c.startsWith(`${name}=`));
/** A hidden form field's value in a page (the CSRF token, say). */
export const hidden = (html: string, name: string): string | undefined => new RegExp(`name="${name}" value="([^"]*)"`).exec(html)?.[1];

/** A browser logged in through the login form: its session cookie and the CSRF token its pages carry. */
export interface WebSession {
  cookie: string;
  csrf: string;
}

/** Logs in through `/user/login` as a browser does (the login form's own CSRF cookie and token) and fails the test if the login fails. */
export async function webSession(http: Server, login: string, password = FACTORY_PASSWORD): Promise<WebSession> {
  const form = await request(http).get('/user/login').set('accept', BROWSER_ACCEPT);
  const loginCookie = (cookieNamed(form, 'odp_login_csrf') ?? '').split(';')[0];
  const res = await request(http).post('/user/login').set('accept', BROWSER_ACCEPT).set('cookie', loginCookie).type('form')
    .send({ _csrf: hidden(form.text, '_csrf') ?? '', login, password });
  if (res.status !== 303) throw new Error(`login of ${login} answered ${res.status}, not 303`);
  const cookie = (cookieNamed(res, 'odp_session') ?? '').split(';')[0];
  const page = await request(http).get('/dashboard').set('accept', BROWSER_ACCEPT).set('cookie', cookie);
  const csrf = hidden(page.text, '_csrf');
  if (!csrf) throw new Error(`the dashboard of ${login} carries no CSRF token`);
  return { cookie, csrf };
}
