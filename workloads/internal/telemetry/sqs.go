package telemetry

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"
)

// Trace context across SQS (seed §7). A message carries its producer's trace in two places:
//
//   - the AWSTraceHeader system attribute, in X-Ray's header format: SQS sets it when the
//     producer's call was traced, or the producer sets it (MessageSystemAttributes on
//     SendMessage); Lambda's event source mapping passes it in the record's attributes;
//   - a `traceparent` message attribute (W3C Trace Context), for producers that speak
//     OpenTelemetry rather than X-Ray.
//
// The consumer does not make the producer its parent: one invocation handles a batch of
// messages from many traces, and its parent is the trace Lambda started. Each message gets a
// span of its own under the invocation, linked to the producer's span (the OpenTelemetry
// messaging conventions for batch receives).

const (
	// AWSTraceHeaderAttribute is the SQS system attribute holding an X-Ray trace header.
	AWSTraceHeaderAttribute = "AWSTraceHeader"
	// TraceparentAttribute is the message attribute holding a W3C traceparent.
	TraceparentAttribute = "traceparent"
)

// SQSTraceAttributes is what a producer puts on a message sent from ctx: the AWSTraceHeader
// system attribute's value and the traceparent message attribute's. Both empty when ctx has
// no trace.
func SQSTraceAttributes(ctx context.Context) (awsTraceHeader, traceparent string) {
	if !trace.SpanContextFromContext(ctx).IsValid() {
		return "", ""
	}
	carrier := propagation.MapCarrier{}
	xray.Propagator{}.Inject(ctx, carrier)
	propagation.TraceContext{}.Inject(ctx, carrier)
	return carrier.Get("X-Amzn-Trace-Id"), carrier.Get(TraceparentAttribute)
}

// MessageTraceContext is the producer's span context a message carries, or an invalid one.
func MessageTraceContext(msg events.SQSMessage) trace.SpanContext {
	if header := msg.Attributes[AWSTraceHeaderAttribute]; header != "" {
		ctx := xray.Propagator{}.Extract(context.Background(), propagation.MapCarrier{"X-Amzn-Trace-Id": header})
		if sc := trace.SpanContextFromContext(ctx); sc.IsValid() {
			return sc
		}
	}
	if attr, ok := msg.MessageAttributes[TraceparentAttribute]; ok && attr.StringValue != nil {
		ctx := propagation.TraceContext{}.Extract(context.Background(), propagation.MapCarrier{TraceparentAttribute: *attr.StringValue})
		return trace.SpanContextFromContext(ctx)
	}
	return trace.SpanContext{}
}

// StartMessage opens the span of one message, a child of the invocation's span in ctx and
// linked to the producer's; the returned function ends it with the message's outcome.
func (t *Tracing) StartMessage(ctx context.Context, msg events.SQSMessage) (context.Context, func(error)) {
	opts := []trace.SpanStartOption{
		trace.WithSpanKind(trace.SpanKindConsumer),
		trace.WithAttributes(
			semconv.MessagingSystemAWSSQS,
			semconv.MessagingOperationTypeProcess,
			semconv.MessagingMessageID(msg.MessageId),
			attribute.String("messaging.source.arn", msg.EventSourceARN),
		),
	}
	if producer := MessageTraceContext(msg); producer.IsValid() {
		opts = append(opts, trace.WithLinks(trace.Link{SpanContext: producer}))
	}
	ctx, span := t.tracer.Start(ctx, "process "+queueName(msg.EventSourceARN), opts...)
	return ctx, func(err error) {
		if err != nil {
			span.RecordError(err)
			span.SetStatus(codes.Error, err.Error())
		}
		span.End()
	}
}

// queueName is the last part of a queue ARN (arn:aws:sqs:region:account:name).
func queueName(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}
