// OpenTelemetry through the SDK's in-memory exporters: spans for the login, the callback, a
// refresh and its lock wait, each provider call and token-store operation; metrics derived from
// the hook events; and not one token, code, secret or e-mail in any of it.
import { context, metrics, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
} from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createClient, type RedisClientType } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRefreshLock, RedisTokenStore } from 'passport-synergyflow';
import { skipRedis, startRedis, type RedisServer } from '../helpers/redis.js';
import { CLIENT_SECRET, startRig, type Rig } from '../helpers/rig.js';
import { loadOptional } from '../../src/telemetry/otel-api.js';

const EMAIL = 'otel.person@example.com';
const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({ exporter: metricExporter, exportIntervalMillis: 3_600_000 });
let redis: RedisServer;
let client: RedisClientType;
let rig: Rig;

/** Every data point of the last export: instrument name, attributes, value. */
async function collected(): Promise<{ name: string; attributes: Record<string, unknown>; value: unknown }[]> {
  await reader.forceFlush();
  const exported = metricExporter.getMetrics().at(-1);
  return (exported?.scopeMetrics ?? []).flatMap((scope) =>
    scope.metrics.flatMap((metric) =>
      metric.dataPoints.map((point) => ({
        name: metric.descriptor.name,
        attributes: point.attributes,
        value: point.value,
      })),
    ),
  );
}

describe.skipIf(skipRedis)('OpenTelemetry spans and metrics', () => {
  beforeAll(async () => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }));
    metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));
    redis = await startRedis();
    client = createClient({ url: redis.url });
    await client.connect();
    rig = await startRig({
      clock: true,
      emulator: { accessTokenTtlSeconds: 120 },
      auth: { tokenStore: new RedisTokenStore({ client }), refreshLock: new RedisRefreshLock({ client }) },
      routes: (app, auth) =>
        app.get('/me', auth.requireUser(), (req, res, next) => {
          auth.apiGet(req, '/api/user').then((user) => res.json(user), next);
        }),
    });
    rig.emulator.upsertUser({
      id: 7,
      name: 'Otel Person',
      email: EMAIL,
      email_verified_at: null,
      created_at: '2026-01-01T00:00:00.000000Z',
      updated_at: '2026-01-01T00:00:00.000000Z',
    });
    rig.emulator.approveAs(7);
    const browser = await rig.login();
    const json = { headers: { accept: 'application/json' } };
    expect((await browser.request(`${rig.url}/dashboard`, json)).status).toBe(200);
    rig.clock?.advance(130);
    expect((await browser.request(`${rig.url}/dashboard`, json)).status).toBe(200);
    rig.emulator.failNext('user', { status: 429, headers: { 'Retry-After': '30', 'X-RateLimit-Remaining': '0' } });
    expect((await browser.request(`${rig.url}/me`, json)).status).toBe(429);
  }, 30_000);
  afterAll(async () => {
    await rig?.close();
    await client?.quit();
    await redis?.stop();
    trace.disable();
    metrics.disable();
    context.disable();
  });

  it('spans the login, the callback, the refresh with its lock wait as a child, and token-store operations', () => {
    const finished = spans.getFinishedSpans();
    const names = new Set(finished.map((s) => s.name));
    for (const name of [
      'synergyflow.login',
      'synergyflow.callback',
      'synergyflow.refresh',
      'synergyflow.refresh.lock_wait',
      'synergyflow.token_store.get',
      'synergyflow.token_store.set',
    ]) {
      expect(names, name).toContain(name);
    }
    const refresh = finished.find((s) => s.name === 'synergyflow.refresh')!;
    const wait = finished.find((s) => s.name === 'synergyflow.refresh.lock_wait')!;
    expect(wait.parentSpanContext?.spanId).toBe(refresh.spanContext().spanId);
    expect(wait.attributes['synergyflow.outcome']).toBe('acquired');
    const callback = finished.find((s) => s.name === 'synergyflow.callback')!;
    expect(callback.attributes['http.response.status_code']).toBe(303);
  });

  it('each provider call is a client span with the HTTP client conventions, under its route', () => {
    const finished = spans.getFinishedSpans();
    const calls = finished.filter((s) => s.kind === SpanKind.CLIENT);
    expect(calls.map((s) => s.name).sort()).toEqual(expect.arrayContaining(['GET', 'POST']));
    for (const call of calls) {
      expect(call.attributes['http.request.method']).toBe(call.name);
      expect(call.attributes['url.full']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[^?#]*$/);
      expect(call.attributes['server.address']).toBe('127.0.0.1');
      expect(typeof call.attributes['http.response.status_code']).toBe('number');
    }
    const limited = calls.find((s) => s.attributes['http.response.status_code'] === 429);
    expect(limited?.attributes['error.type']).toBe('429');
    const callback = finished.find((s) => s.name === 'synergyflow.callback')!;
    const exchange = calls.find((s) => s.parentSpanContext?.spanId === callback.spanContext().spanId);
    expect(exchange?.name).toBe('POST');
  });

  it('metrics: logins, refreshes by outcome, lock waits, provider answers by status, 429s and the budget left', async () => {
    const points = await collected();
    const find = (name: string, attributes: Record<string, unknown> = {}) =>
      points.find((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
    expect(find('synergyflow.logins', { 'synergyflow.outcome': 'success' })?.value).toBe(1);
    expect(find('synergyflow.refreshes', { 'synergyflow.outcome': 'success' })?.value).toBe(1);
    expect(find('synergyflow.refresh.lock.wait.duration', { 'synergyflow.outcome': 'acquired' })).toBeDefined();
    expect(find('synergyflow.provider.responses', { 'http.response.status_code': 200 })).toBeDefined();
    expect(find('synergyflow.provider.responses', { 'http.response.status_code': 429 })?.value).toBe(1);
    expect(find('synergyflow.provider.rate_limited')?.value).toBe(1);
    expect(find('synergyflow.provider.rate_limit.remaining', { 'server.address': '127.0.0.1' })?.value).toBe(0);
  });

  it('not one token, code, client secret or e-mail in any span or metric attribute', async () => {
    const secrets = [...rig.emulator.issuedSecrets(), CLIENT_SECRET, EMAIL];
    expect(secrets.length).toBeGreaterThan(4);
    const exported = JSON.stringify({
      spans: spans.getFinishedSpans().map((s) => ({
        name: s.name,
        attributes: s.attributes,
        status: s.status,
        events: s.events,
        links: s.links,
      })),
      metrics: await collected(),
    });
    for (const secret of secrets) expect(exported.includes(secret), 'a secret in the telemetry').toBe(false);
  });

  it('without @opentelemetry/api installed the package loads nothing and records nothing', () => {
    expect(loadOptional('@opentelemetry/api-that-is-not-installed')).toBeUndefined();
  });
});
