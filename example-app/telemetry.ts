// OpenTelemetry for the example app, on when OTEL_CONSOLE=1: spans and metrics printed to the
// console with the SDK's console exporters (the README's ten-line setup). The package records
// nothing unless an SDK like this one is registered.
import { context, metrics, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { ConsoleMetricExporter, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter } from '@opentelemetry/sdk-trace-base';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const spanProcessors = [new BatchSpanProcessor(new ConsoleSpanExporter())];
trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors }));
const exporter = new ConsoleMetricExporter();
metrics.setGlobalMeterProvider(
  new MeterProvider({ readers: [new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 30_000 })] }),
);
console.log('OpenTelemetry: spans and metrics go to the console (every 30 s for metrics)');
