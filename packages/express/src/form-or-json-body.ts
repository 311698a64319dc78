import express, {
  type NextFunction,
  type Request,
  type RequestHandler,
  type Response,
} from 'express';

/** A login form is small; anything larger is refused with 413 before it is buffered. */
const LOGIN_BODY_LIMIT = '16kb';

const parseForm = express.urlencoded({ extended: false, limit: LOGIN_BODY_LIMIT });
const parseJson = express.json({ limit: LOGIN_BODY_LIMIT });

/**
 * body-parser's error for a body it could not parse keeps the raw body in `err.body`, and V8's
 * `SyntaxError` message may quote it: a login body holds the password. The app's error handlers
 * (and their logs) get a 400 that says what failed, without the body.
 */
function withoutBody(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('body' in error)) return error;
  return Object.assign(new SyntaxError('The login body could not be parsed'), {
    status: 400,
    statusCode: 400,
    expose: true,
    type: Reflect.get(error, 'type'),
  });
}

/**
 * Wraps a handler so it reads `application/x-www-form-urlencoded` and JSON bodies itself: the
 * login routes work with or without the app's own body parsers. A body already parsed by the app
 * is left as it is (body-parser skips a request whose body was read).
 */
export function withFormOrJsonBody(
  handler: (req: Request, res: Response, next: NextFunction) => Promise<void>,
): RequestHandler {
  return (req, res, next) => {
    parseForm(req, res, (formError?: unknown) => {
      if (formError !== undefined) {
        next(withoutBody(formError));
        return;
      }
      parseJson(req, res, (jsonError?: unknown) => {
        if (jsonError !== undefined) {
          next(withoutBody(jsonError));
          return;
        }
        handler(req, res, next).catch(next);
      });
    });
  };
}
