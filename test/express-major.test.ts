import express from 'express';
import { describe, expect, it } from 'vitest';

const major = process.env.EXPRESS_MAJOR === '4' ? 4 : 5;

describe(`the suite runs on Express ${major}`, () => {
  it('imports the Express major the run asked for (the package code included)', () => {
    // express.query was removed in Express 5.
    expect('query' in express).toBe(major === 4);
  });
});
