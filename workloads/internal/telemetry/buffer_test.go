package telemetry

import (
	"context"
	"strings"
	"testing"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
)

func TestBufferHoldsSpansUntilFlushed(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	buf := newInvocationBuffer(exp)
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(buf)).Tracer("test")

	_, span := tracer.Start(context.Background(), "work")
	span.End()
	if n := len(exp.GetSpans()); n != 0 {
		t.Fatalf("%d spans exported before the flush", n)
	}

	if err := buf.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(exp.GetSpans()); n != 1 {
		t.Fatalf("%d spans exported by the flush, want 1", n)
	}
	if err := buf.ForceFlush(context.Background()); err != nil || len(exp.GetSpans()) != 1 {
		t.Fatalf("a second flush exported again (%d spans, %v)", len(exp.GetSpans()), err)
	}
}

func TestBufferIsBounded(t *testing.T) {
	exp := tracetest.NewInMemoryExporter()
	buf := newInvocationBuffer(exp)
	tracer := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(buf)).Tracer("test")

	for range maxBufferedSpans + 5 {
		_, span := tracer.Start(context.Background(), "work")
		span.End()
	}
	err := buf.ForceFlush(context.Background())

	if err == nil || !strings.Contains(err.Error(), "5 spans dropped") {
		t.Errorf("err = %v, want the 5 dropped spans reported", err)
	}
	if n := len(exp.GetSpans()); n != maxBufferedSpans {
		t.Errorf("exported %d, want %d", n, maxBufferedSpans)
	}
}
