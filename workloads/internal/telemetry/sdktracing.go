package telemetry

import (
	"context"
	"fmt"
	"reflect"

	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/middleware"
	smithytracing "github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// The AWS SDK for Go v2 traces its own operations through smithy-go's tracing interfaces: a
// client span per call, named like "DynamoDB.GetItem" with rpc.system=aws-api, rpc.service and
// rpc.method, and ten internal spans inside it (serialize, resolve endpoint, sign, retry loop,
// attempt, HTTP round trip, ...). AWS publishes an adapter to OpenTelemetry
// (smithy-go/tracing/smithyoteltracing), but the checksum database has no record of it, so
// this is the same thin mapping, kept here, with one change: the internal spans are folded
// into the call's span. X-Ray then shows one subsegment per DynamoDB or SQS call, carrying the
// attempt count, aws.request_id and http.status_code the inner spans report, instead of eleven
// nested subsegments per call.

// sdkTracerProvider adapts an OpenTelemetry tracer provider to smithy-go's interface.
type sdkTracerProvider struct{ otel trace.TracerProvider }

// SDKTracerProvider returns tp in the shape a service client's Options.TracerProvider expects.
func SDKTracerProvider(tp trace.TracerProvider) smithytracing.TracerProvider {
	return sdkTracerProvider{otel: tp}
}

func (p sdkTracerProvider) Tracer(scope string, _ ...smithytracing.TracerOption) smithytracing.Tracer {
	return sdkTracer{otel: p.otel.Tracer(scope)}
}

type sdkTracer struct{ otel trace.Tracer }

func (t sdkTracer) StartSpan(ctx context.Context, name string, opts ...smithytracing.SpanOption) (context.Context, smithytracing.Span) {
	var o smithytracing.SpanOptions
	for _, opt := range opts {
		opt(&o)
	}
	if o.Kind != smithytracing.SpanKindClient {
		if parent := trace.SpanFromContext(ctx); parent.IsRecording() {
			parent.SetAttributes(attributes(&o.Properties)...)
			return ctx, foldedSpan{name: name, into: parent}
		}
	}
	ctx, span := t.otel.Start(ctx, name,
		trace.WithSpanKind(spanKind(o.Kind)),
		trace.WithAttributes(attributes(&o.Properties)...))
	s := sdkSpan{name: name, otel: span}
	// The SDK finds the active span through smithy's own context key (to add aws.request_id),
	// and child spans find their parent through OpenTelemetry's: set both.
	return smithytracing.WithSpan(ctx, s), s
}

type sdkSpan struct {
	name string
	otel trace.Span
}

func (s sdkSpan) Name() string { return s.name }

func (s sdkSpan) Context() smithytracing.SpanContext {
	sc := s.otel.SpanContext()
	return smithytracing.SpanContext{
		TraceID:  sc.TraceID().String(),
		SpanID:   sc.SpanID().String(),
		IsRemote: sc.IsRemote(),
	}
}

func (s sdkSpan) AddEvent(name string, opts ...smithytracing.EventOption) {
	var o smithytracing.EventOptions
	for _, opt := range opts {
		opt(&o)
	}
	s.otel.AddEvent(name, trace.WithAttributes(attributes(&o.Properties)...))
}

func (s sdkSpan) SetStatus(status smithytracing.SpanStatus) {
	switch status {
	case smithytracing.SpanStatusOK:
		s.otel.SetStatus(codes.Ok, "")
	case smithytracing.SpanStatusError:
		s.otel.SetStatus(codes.Error, "")
	}
}

func (s sdkSpan) SetProperty(k, v any) { s.otel.SetAttributes(attr(k, v)) }

func (s sdkSpan) End() { s.otel.End() }

// foldedSpan is an SDK-internal span whose properties and events go to the enclosing span.
// Its status is dropped: a failed attempt that a retry recovered is not a failed call, and the
// call's own span records how the call ended.
type foldedSpan struct {
	name string
	into trace.Span
}

func (s foldedSpan) Name() string { return s.name }

func (s foldedSpan) Context() smithytracing.SpanContext { return sdkSpan{otel: s.into}.Context() }

func (s foldedSpan) AddEvent(name string, opts ...smithytracing.EventOption) {
	sdkSpan{otel: s.into}.AddEvent(name, opts...)
}

func (s foldedSpan) SetStatus(smithytracing.SpanStatus) {}

func (s foldedSpan) SetProperty(k, v any) { s.into.SetAttributes(attr(k, v)) }

func (s foldedSpan) End() {}

func spanKind(k smithytracing.SpanKind) trace.SpanKind {
	switch k {
	case smithytracing.SpanKindClient:
		return trace.SpanKindClient
	case smithytracing.SpanKindServer:
		return trace.SpanKindServer
	case smithytracing.SpanKindProducer:
		return trace.SpanKindProducer
	case smithytracing.SpanKindConsumer:
		return trace.SpanKindConsumer
	default:
		return trace.SpanKindInternal
	}
}

func attributes(p *smithy.Properties) []attribute.KeyValue {
	values := p.Values()
	kvs := make([]attribute.KeyValue, 0, len(values))
	for k, v := range values {
		kvs = append(kvs, attr(k, v))
	}
	return kvs
}

func attr(k, v any) attribute.KeyValue {
	key := attribute.Key(fmt.Sprint(k))
	switch v := v.(type) {
	case string:
		return key.String(v)
	case bool:
		return key.Bool(v)
	case int:
		return key.Int(v)
	case int64:
		return key.Int64(v)
	case float64:
		return key.Float64(v)
	case []string:
		return key.StringSlice(v)
	default:
		return key.String(fmt.Sprint(v))
	}
}

// AWSCallAttributes is an AWS SDK client API option (Options.APIOptions) that records what an
// operation addresses on the call's span: the region (aws.region), a DynamoDB input's table
// (aws.dynamodb.table_names) and an SQS input's queue (aws.sqs.queue.url). X-Ray shows them as
// the subsegment's region, table_name and queue_url, which tell a slow table or queue from a
// slow neighbour. The SDK's own spans carry neither.
func AWSCallAttributes(stack *middleware.Stack) error {
	return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("gofnAWSCallAttributes",
		func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
			span := trace.SpanFromContext(ctx)
			if span.IsRecording() {
				if region := awsmiddleware.GetRegion(ctx); region != "" {
					span.SetAttributes(attrAWSRegion.String(region))
				}
				if table := stringField(in.Parameters, "TableName"); table != "" {
					span.SetAttributes(semconv.AWSDynamoDBTableNames(table))
				}
				if queue := stringField(in.Parameters, "QueueUrl"); queue != "" {
					span.SetAttributes(semconv.AWSSQSQueueURL(queue))
				}
			}
			return next.HandleInitialize(ctx, in)
		}), middleware.After)
}

// attrAWSRegion is the region an AWS call went to, under the name the OpenTelemetry
// collector's X-Ray exporter reads too.
const attrAWSRegion = attribute.Key("aws.region")

// stringField reads a *string field of an operation input: every single-table DynamoDB input
// has TableName, every single-queue SQS input QueueUrl.
func stringField(input any, name string) string {
	v := reflect.ValueOf(input)
	if v.Kind() != reflect.Pointer || v.IsNil() || v.Elem().Kind() != reflect.Struct {
		return ""
	}
	if f := v.Elem().FieldByName(name); f.IsValid() && f.Kind() == reflect.Pointer && !f.IsNil() && f.Elem().Kind() == reflect.String {
		return f.Elem().String()
	}
	return ""
}
