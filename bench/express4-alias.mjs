// `node --import ./bench/express4-alias.mjs`: resolves `express` to Express 4 (the `express4`
// devDependency), so the same bench servers, package code included, run on Express 4.
import { register } from 'node:module';

register(
  'data:text/javascript,' +
    encodeURIComponent(`
export async function resolve(specifier, context, next) {
  if (specifier === 'express') return next('express4', context);
  return next(specifier, context);
}`),
  import.meta.url,
);
