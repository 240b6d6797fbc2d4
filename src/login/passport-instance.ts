import type { RequestHandler } from 'express';
import type { Strategy } from 'passport';

/** The part of a Passport instance this package uses (the default `passport` or `new Passport()`). */
export interface PassportInstance {
  use(strategy: Strategy): unknown;
  serializeUser<TID>(fn: (user: Express.User, done: (err: unknown, id?: TID) => void) => void): void;
  deserializeUser<TID>(
    fn: (
      req: import('express').Request,
      id: TID,
      done: (err: unknown, user?: Express.User | false | null) => void,
    ) => void,
  ): void;
  authenticate(strategy: string, options: object, callback?: (...args: never[]) => void): RequestHandler;
  authenticate(strategy: string, callback?: (...args: never[]) => void): RequestHandler;
}
