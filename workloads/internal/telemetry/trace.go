package telemetry

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambdacontext"
	smithytracing "github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Tracing owns the process's tracer provider and remembers whether the next invocation is the
// first one (a cold start).
type Tracing struct {
	provider *sdktrace.TracerProvider
	tracer   trace.Tracer
	name     string
	buffer   *invocationBuffer // nil when spans are not exported
	cold     atomic.Bool
}

// NewTracing builds the tracer provider for the function called name. Span IDs come from the
// X-Ray ID generator (the trace ID starts with the epoch seconds, as X-Ray requires), and
// sampling follows the parent, which is Lambda's decision carried in the trace header. With a
// nil exporter spans are still created, so logs carry trace IDs, but nothing is sent anywhere:
// that is the local run, with no collector and no X-Ray daemon.
func NewTracing(name string, exporter sdktrace.SpanExporter) *Tracing {
	return newTracing(name, exporter, sdktrace.ParentBased(sdktrace.AlwaysSample()))
}

func newTracing(name string, exporter sdktrace.SpanExporter, sampler sdktrace.Sampler) *Tracing {
	t := &Tracing{name: name}
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithIDGenerator(xray.NewIDGenerator()),
		sdktrace.WithSampler(sampler),
		sdktrace.WithResource(lambdaResource(name)),
	}
	if exporter != nil {
		t.buffer = newInvocationBuffer(exporter)
		opts = append(opts, sdktrace.WithSpanProcessor(t.buffer))
	}
	t.provider = sdktrace.NewTracerProvider(opts...)
	t.tracer = t.provider.Tracer("gofn/workloads/internal/telemetry")
	t.cold.Store(true)
	return t
}

// SDK is the tracer provider for an AWS SDK client's Options.TracerProvider: the SDK then
// traces each call (DynamoDB.GetItem, SQS.SendMessage, ...) as a child of the invocation.
func (t *Tracing) SDK() smithytracing.TracerProvider { return SDKTracerProvider(t.provider) }

// OTLPExporterFromEnv returns an OTLP/HTTP exporter when the environment names an endpoint
// (OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT): a collector extension's
// http://localhost:4318, or X-Ray's own https://xray.<region>.amazonaws.com/v1/traces, whose
// requests are signed with SigV4 (service xray). Nil otherwise. Retries are off: a trace is
// not worth adding latency to an invocation.
func OTLPExporterFromEnv(ctx context.Context) (sdktrace.SpanExporter, error) {
	if os.Getenv("OTEL_EXPORTER_OTLP_ENDPOINT")+os.Getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") == "" {
		return nil, nil
	}
	opts := []otlptracehttp.Option{otlptracehttp.WithRetry(otlptracehttp.RetryConfig{Enabled: false})}
	if region, ok := xrayOTLPRegion(); ok {
		// Straight to X-Ray's OTLP endpoint: each request signed with the function's role.
		client, err := sigV4Client(ctx, region)
		if err != nil {
			return nil, fmt.Errorf("OTLP trace exporter: %w", err)
		}
		opts = append(opts, otlptracehttp.WithHTTPClient(client))
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("OTLP trace exporter: %w", err)
	}
	return exp, nil
}

// ExporterFromEnv picks where spans go, from the environment:
//
//   - OTEL_TRACES_EXPORTER=none: nowhere;
//   - a collector named by OTEL_EXPORTER_OTLP_ENDPOINT (or ..._TRACES_ENDPOINT): OTLP/HTTP to
//     it, and the collector forwards them (to X-Ray or elsewhere);
//   - otherwise, AWS_XRAY_DAEMON_ADDRESS, which Lambda sets when active tracing is on: X-Ray
//     subsegment documents to Lambda's X-Ray daemon, nothing else needed;
//   - otherwise (a developer's machine, the emulator): nowhere.
//
// One of them, never both: both would put every DynamoDB call into X-Ray twice.
func ExporterFromEnv(ctx context.Context) (sdktrace.SpanExporter, error) {
	if os.Getenv("OTEL_TRACES_EXPORTER") == "none" {
		return nil, nil
	}
	if exp, err := OTLPExporterFromEnv(ctx); exp != nil || err != nil {
		return exp, err
	}
	return XRayDaemonExporterFromEnv()
}

// NewTracingFromEnv is NewTracing with the exporter ExporterFromEnv picks and the sampler
// SamplerFromEnv reads. A broken setting costs the traces, never the function.
func NewTracingFromEnv(name string) *Tracing {
	sampler, err := SamplerFromEnv()
	if err != nil {
		slog.Warn("traces will not be recorded", "error", err.Error())
		return newTracing(name, nil, sdktrace.NeverSample())
	}
	exp, err := ExporterFromEnv(context.Background())
	if err != nil {
		slog.Warn("traces will not be exported", "error", err.Error())
		return newTracing(name, nil, sampler)
	}
	return newTracing(name, exp, sampler)
}

// lambdaResource describes the function the way X-Ray's OTLP mapping expects: service.name
// becomes the segment name, cloud.platform marks it as a Lambda function.
func lambdaResource(name string) *resource.Resource {
	attrs := []attribute.KeyValue{
		semconv.ServiceName(name),
		semconv.CloudProviderAWS,
		semconv.CloudPlatformAWSLambda,
		semconv.FaaSName(name),
	}
	if region := os.Getenv("AWS_REGION"); region != "" {
		attrs = append(attrs, semconv.CloudRegion(region))
	}
	if lambdacontext.FunctionVersion != "" {
		attrs = append(attrs, semconv.FaaSVersion(lambdacontext.FunctionVersion))
	}
	return resource.NewWithAttributes(semconv.SchemaURL, attrs...)
}

// startInvocation continues the trace Lambda started for this invocation and opens the
// function's server span under it. aws-lambda-go puts the Lambda-Runtime-Trace-Id header on
// the context (and, with one request per environment, in _X_AMZN_TRACE_ID); it names the
// trace, the parent segment and Lambda's sampling decision.
func (t *Tracing) startInvocation(ctx context.Context, cold bool) (context.Context, trace.Span) {
	header, _ := ctx.Value("x-amzn-trace-id").(string)
	if header == "" {
		header = os.Getenv("_X_AMZN_TRACE_ID")
	}
	if header != "" {
		ctx = xray.Propagator{}.Extract(ctx, propagation.MapCarrier{"X-Amzn-Trace-Id": header})
	}
	attrs := []attribute.KeyValue{semconv.FaaSColdstart(cold)}
	if lc, ok := lambdacontext.FromContext(ctx); ok {
		attrs = append(attrs, semconv.FaaSInvocationID(lc.AwsRequestID))
		if lc.InvokedFunctionArn != "" {
			attrs = append(attrs, semconv.CloudResourceID(lc.InvokedFunctionArn))
		}
	}
	return t.tracer.Start(ctx, t.name, trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(attrs...))
}

// flush exports the invocation's spans; it is a no-op when nothing is exported.
func (t *Tracing) flush(ctx context.Context) error {
	if t.buffer == nil {
		return nil
	}
	return t.buffer.ForceFlush(ctx)
}
