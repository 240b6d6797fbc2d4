/*
 * Everything this package relies on inside Express's router, in one file: the layer stack (`stack`,
 * `handle`, `route`) of Express 4 (`app._router`) and 5 (`app.router`), and Express's rule that
 * error middleware has four parameters. Read only to tell whether an error the package passes to
 * `next` will meet an error handler of the app (otherwise the package answers it itself, since
 * Express's fallback shows API clients an HTML stack trace). Checked by test/seams/express-router.test.ts.
 */
/** What an Express 4 or 5 router layer looks like from outside. */
interface LayerLike {
  handle?: unknown;
  route?: unknown;
}

type Found = 'absent' | 'handled' | 'unhandled';

function stackOf(value: unknown): readonly LayerLike[] {
  if (typeof value !== 'function' && (typeof value !== 'object' || value === null)) return [];
  const stack = (value as { stack?: unknown }).stack;
  return Array.isArray(stack) ? (stack as LayerLike[]) : [];
}

function routerOf(app: unknown): unknown {
  try {
    // Express 4 keeps its router in `_router` (and `app.router` throws); Express 5 in `router`.
    return (app as { _router?: unknown })._router ?? (app as { router?: unknown }).router;
  } catch {
    return undefined;
  }
}

// Express itself tells error middleware by its four parameters.
const handlesErrors = (stack: readonly LayerLike[]): boolean =>
  stack.some((layer) => typeof layer.handle === 'function' && layer.handle.length === 4);

/**
 * Looks for `middleware` in a router's stack. An error it passes to `next` walks on through the
 * route it sits in, then the routers around it (an error never enters a sibling router), so an
 * error handler on that way is what counts. Where in the stack the handler sits is ignored.
 */
function search(stack: readonly LayerLike[], middleware: unknown, depth: number): Found {
  let here = false;
  for (const layer of stack) {
    const routeStack = stackOf(layer.route);
    if (layer.handle === middleware) here = true;
    else if (routeStack.some((inner) => inner.handle === middleware)) {
      if (handlesErrors(routeStack)) return 'handled';
      here = true;
    } else if (depth < 8) {
      const inner = search(stackOf(layer.handle), middleware, depth + 1);
      if (inner === 'handled') return 'handled';
      here ||= inner === 'unhandled';
    }
  }
  if (!here) return 'absent';
  return handlesErrors(stack) ? 'handled' : 'unhandled';
}

/**
 * True when an error that `middleware` passes to `next` meets error-handling middleware of the
 * app: in the router or route it is mounted in, a router around it, or an app this app is
 * mounted in. Then the app decides how to answer; otherwise Express's fallback would.
 */
export function reachesErrorMiddleware(app: unknown, middleware: unknown): boolean {
  if (search(stackOf(routerOf(app)), middleware, 0) === 'handled') return true;
  let parent = (app as { parent?: unknown } | undefined)?.parent;
  for (let depth = 0; typeof parent === 'function' && depth < 8; depth += 1) {
    if (handlesErrors(stackOf(routerOf(parent)))) return true;
    parent = (parent as { parent?: unknown }).parent;
  }
  return false;
}
