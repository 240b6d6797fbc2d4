// The contract src/seams/express-router.ts relies on (Express 4 and 5: EXPRESS_MAJOR=4 runs it on 4).
import express, { type ErrorRequestHandler, type RequestHandler } from 'express';
import { describe, expect, it } from 'vitest';
import { reachesErrorMiddleware } from '../../src/seams/express-router.js';

const guard: RequestHandler = (_req, _res, next) => next();
const handler: ErrorRequestHandler = (_error, _req, res, _next) => void res.end();

describe("Express's router, as src/seams/express-router.ts relies on it", () => {
  it('finds an error handler after the middleware, in its route, its router, or a parent app', () => {
    const plain = express();
    plain.get('/x', guard, (_req, res) => void res.end());
    expect(reachesErrorMiddleware(plain, guard)).toBe(false);
    plain.use(handler);
    expect(reachesErrorMiddleware(plain, guard)).toBe(true);

    const routed = express();
    const router = express.Router();
    router.get('/y', guard, (_req, res) => void res.end());
    routed.use('/r', router);
    expect(reachesErrorMiddleware(routed, guard)).toBe(false);
    router.use(handler);
    expect(reachesErrorMiddleware(routed, guard)).toBe(true);

    const parent = express();
    const child = express();
    child.get('/z', guard, (_req, res) => void res.end());
    parent.use('/child', child);
    parent.use(handler);
    expect(reachesErrorMiddleware(child, guard)).toBe(true);
  });
});
