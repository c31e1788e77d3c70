package telemetry

import (
	"context"
	"errors"
	"fmt"
	"sync"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// maxBufferedSpans bounds memory if a flush keeps failing; an invocation makes a few dozen.
const maxBufferedSpans = 2048

// invocationBuffer is a span processor that holds finished spans until the invocation flushes
// them. The SDK's BatchSpanProcessor exports from a goroutine on a timer: on Lambda that
// goroutine is frozen between invocations, so spans would leave late or never, and it would
// outlive the handler. Here nothing runs outside a handler: the wrapper flushes before it
// returns, on the invocation's own goroutine.
type invocationBuffer struct {
	exporter sdktrace.SpanExporter

	mu      sync.Mutex
	spans   []sdktrace.ReadOnlySpan
	dropped int
}

func newInvocationBuffer(exporter sdktrace.SpanExporter) *invocationBuffer {
	return &invocationBuffer{exporter: exporter}
}

func (b *invocationBuffer) OnStart(context.Context, sdktrace.ReadWriteSpan) {}

func (b *invocationBuffer) OnEnd(s sdktrace.ReadOnlySpan) {
	if !s.SpanContext().IsSampled() {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.spans) >= maxBufferedSpans {
		b.dropped++
		return
	}
	b.spans = append(b.spans, s)
}

// ForceFlush exports what the invocation produced. Spans whose export failed are dropped,
// not retried: a retry would be a later invocation's latency, and a trace is not worth that.
func (b *invocationBuffer) ForceFlush(ctx context.Context) error {
	b.mu.Lock()
	spans, dropped := b.spans, b.dropped
	b.spans, b.dropped = nil, 0
	b.mu.Unlock()

	var errs []error
	if dropped > 0 {
		errs = append(errs, fmt.Errorf("%d spans dropped: buffer full", dropped))
	}
	if len(spans) > 0 {
		errs = append(errs, b.exporter.ExportSpans(ctx, spans))
	}
	return errors.Join(errs...)
}

func (b *invocationBuffer) Shutdown(ctx context.Context) error {
	flushErr := b.ForceFlush(ctx)
	if err := b.exporter.Shutdown(ctx); err != nil {
		return err
	}
	return flushErr
}
