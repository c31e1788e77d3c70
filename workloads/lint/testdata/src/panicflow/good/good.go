package good

import (
	"context"
	"errors"
	"strconv"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

// mustAtoi panics at init, before any invocation: not a handler.
func mustAtoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		panic(err)
	}
	return n
}

var limit = mustAtoi("10")

type Handler struct{}

func (h *Handler) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	// Re-raising in a deferred function passes a panic on; it is not the handler's own.
	defer func() {
		if r := recover(); r != nil {
			panic(r)
		}
	}()
	if len(ev.Records) > limit {
		return events.SQSEventResponse{}, errors.New("batch too large")
	}
	return events.SQSEventResponse{}, nil
}

// count takes an int, not an event, and nothing starts it: not a handler.
func count(ctx context.Context, n int) error {
	if n < 0 {
		panic("negative")
	}
	return nil
}

func main() {
	h := &Handler{}
	lambda.Start(h.Handle)
}
