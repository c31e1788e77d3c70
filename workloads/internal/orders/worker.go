package orders

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Saver stores an order. Saving the same order twice must succeed: SQS delivers at least once.
type Saver interface {
	SaveOrder(ctx context.Context, o Order) error
}

// DefaultTimeout bounds one save, retries included.
const DefaultTimeout = 2 * time.Second

// Worker handles batches from the orders queue. The event source mapping must have
// FunctionResponseTypes=[ReportBatchItemFailures], or Lambda ignores the response below and
// retries the whole batch.
type Worker struct {
	// Orders returns the store; main passes a sync.OnceValues so the client is made once.
	Orders func() (Saver, error)
	// Timeout bounds each downstream call; zero means DefaultTimeout.
	Timeout time.Duration
	// Messages traces each message (telemetry.Tracing does: a span per message, linked to the
	// producer's trace from the message's attributes); nil traces nothing.
	Messages MessageTracer
}

// MessageTracer opens the span of one message; the returned function ends it with the outcome.
type MessageTracer interface {
	StartMessage(ctx context.Context, msg events.SQSMessage) (context.Context, func(error))
}

// Handle processes the batch in order and reports exactly the messages that failed. It
// returns an error only when no message can be processed (the store is misconfigured), and
// then Lambda retries the whole batch.
func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	resp := events.SQSEventResponse{BatchItemFailures: []events.SQSBatchItemFailure{}}
	if len(ev.Records) == 0 {
		return resp, nil
	}
	store, err := w.Orders()
	if err != nil {
		return events.SQSEventResponse{}, fmt.Errorf("orders: store: %w", err)
	}

	// On a FIFO queue a failed message must hold back the rest of its group, or a retry would
	// land after messages that were sent later.
	failedGroups := map[string]bool{}
	for _, rec := range ev.Records {
		group := rec.Attributes["MessageGroupId"]
		var err error
		switch {
		case group != "" && failedGroups[group]:
			err = errors.New("an earlier message of its group failed")
		case ctx.Err() != nil:
			// Out of time: leave the rest for the retry rather than start work we cannot finish.
			err = fmt.Errorf("not attempted: %w", context.Cause(ctx))
		default:
			err = w.traced(ctx, rec, func(ctx context.Context) error { return w.process(ctx, store, rec) })
		}
		if err != nil {
			slog.ErrorContext(ctx, "message failed", "messageId", rec.MessageId,
				"malformed", errors.Is(err, ErrMalformed), "error", err.Error())
			resp.BatchItemFailures = append(resp.BatchItemFailures, events.SQSBatchItemFailure{ItemIdentifier: rec.MessageId})
			if group != "" {
				failedGroups[group] = true
			}
		}
	}
	slog.InfoContext(ctx, "batch processed", "messages", len(ev.Records), "failed", len(resp.BatchItemFailures))
	return resp, nil
}

// process saves one message. A malformed body fails like any other error: after the queue's
// maxReceiveCount it lands in the dead-letter queue, where gofn shows it and offers a replay
// once the producer or this worker is fixed. Dropping it here would lose the order silently.
func (w *Worker) process(ctx context.Context, store Saver, rec events.SQSMessage) error {
	order, err := ParseOrder(rec.Body)
	if err != nil {
		return err
	}
	callCtx, cancel := context.WithTimeout(ctx, w.timeout())
	defer cancel()
	if err := store.SaveOrder(callCtx, order); err != nil {
		return fmt.Errorf("save order %s: %w", order.ID, err)
	}
	slog.InfoContext(ctx, "order saved", "messageId", rec.MessageId, "orderId", order.ID)
	return nil
}

func (w *Worker) traced(ctx context.Context, rec events.SQSMessage, process func(context.Context) error) error {
	if w.Messages == nil {
		return process(ctx)
	}
	ctx, end := w.Messages.StartMessage(ctx, rec)
	err := process(ctx)
	end(err)
	return err
}

func (w *Worker) timeout() time.Duration {
	if w.Timeout > 0 {
		return w.Timeout
	}
	return DefaultTimeout
}
