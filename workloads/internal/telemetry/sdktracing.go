package telemetry

import (
	"context"
	"fmt"

	"github.com/aws/smithy-go"
	smithytracing "github.com/aws/smithy-go/tracing"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// The AWS SDK for Go v2 traces its own operations (a client span per call, named like
// "DynamoDB.GetItem", with rpc.system=aws-api, rpc.service and aws.request_id, plus child spans
// for attempts, signing and the HTTP round trip) through smithy-go's tracing interfaces.
// AWS publishes an adapter to OpenTelemetry (smithy-go/tracing/smithyoteltracing), but the
// checksum database has no record of it, so this is the same thin mapping, kept here.

// sdkTracerProvider adapts an OpenTelemetry tracer provider for aws.Config.TracerProvider.
type sdkTracerProvider struct{ otel trace.TracerProvider }

// SDKTracerProvider returns tp in the shape aws.Config.TracerProvider expects.
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
