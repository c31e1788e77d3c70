package telemetry

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// A producer's trace reaches the consumer through the message: its span is linked from the
// message's span, which is a child of the consumer's invocation (its own, Lambda-started trace).
func TestTraceContextTravelsThroughSQSMessageAttributes(t *testing.T) {
	for _, carrier := range []string{AWSTraceHeaderAttribute, TraceparentAttribute} {
		t.Run(carrier, func(t *testing.T) {
			// Prepare: a producer sends from inside a sampled trace.
			producer := sdktrace.NewTracerProvider(sdktrace.WithSampler(sdktrace.AlwaysSample()))
			pctx, pspan := producer.Tracer("producer").Start(context.Background(), "send order")
			awsTraceHeader, traceparent := SQSTraceAttributes(pctx)
			pspan.End()
			msg := events.SQSMessage{
				MessageId:         "m-1",
				EventSourceARN:    "arn:aws:sqs:eu-west-1:111122223333:orders",
				Attributes:        map[string]string{},
				MessageAttributes: map[string]events.SQSMessageAttribute{},
			}
			if carrier == AWSTraceHeaderAttribute {
				msg.Attributes[AWSTraceHeaderAttribute] = awsTraceHeader
			} else {
				msg.MessageAttributes[TraceparentAttribute] = events.SQSMessageAttribute{StringValue: &traceparent, DataType: "String"}
			}
			exp := tracetest.NewInMemoryExporter()
			tr := NewTracing("orders-worker", exp)
			var wrapped Handler[events.SQSEvent, string] = func(ctx context.Context, ev events.SQSEvent) (string, error) {
				_, end := tr.StartMessage(ctx, ev.Records[0])
				end(errors.New("malformed order"))
				return "", nil
			}

			// Act
			_, _ = Wrap(tr, wrapped)(invocation("r-1", lambdaTraceHeader), events.SQSEvent{Records: []events.SQSMessage{msg}})

			// Assess
			spans := exp.GetSpans()
			var message, invocationSpan tracetest.SpanStub
			for _, s := range spans {
				switch s.SpanKind {
				case trace.SpanKindConsumer:
					message = s
				case trace.SpanKindServer:
					invocationSpan = s
				}
			}
			if message.Name != "process orders" {
				t.Fatalf("spans %v: no message span named after the queue", spans)
			}
			if message.Parent.SpanID() != invocationSpan.SpanContext.SpanID() || message.SpanContext.TraceID().String() != wantTraceID {
				t.Fatalf("message span is not a child of the invocation in Lambda's trace")
			}
			if len(message.Links) != 1 || message.Links[0].SpanContext.SpanID() != pspan.SpanContext().SpanID() ||
				message.Links[0].SpanContext.TraceID() != pspan.SpanContext().TraceID() {
				t.Fatalf("links %v; want the producer's span %v", message.Links, pspan.SpanContext())
			}
			if message.Status.Code != codes.Error {
				t.Fatalf("status %v; want the message's error", message.Status)
			}
		})
	}
}

func TestProducerOutsideATraceSendsNoContext(t *testing.T) {
	if h, tp := SQSTraceAttributes(context.Background()); h != "" || tp != "" {
		t.Fatalf("%q, %q; want nothing", h, tp)
	}
	if sc := MessageTraceContext(events.SQSMessage{Attributes: map[string]string{AWSTraceHeaderAttribute: "garbage"}}); sc.IsValid() {
		t.Fatalf("a malformed header gave %v", sc)
	}
}
