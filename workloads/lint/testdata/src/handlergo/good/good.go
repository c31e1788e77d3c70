package good

import (
	"context"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func save(ctx context.Context, body string) error { return nil }

func produce(lines chan<- string) { close(lines) }

func refresh() {}

type Worker struct{ pending *sync.WaitGroup }

func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	var wg sync.WaitGroup
	for _, rec := range ev.Records {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = save(ctx, rec.Body)
		}()
	}
	wg.Wait()

	results := make(chan error, 1)
	go func() { results <- save(ctx, "summary") }()
	select {
	case err := <-results:
		if err != nil {
			return events.SQSEventResponse{}, err
		}
	case <-ctx.Done():
	}

	lines := make(chan string)
	go produce(lines)
	for line := range lines {
		_ = line
	}

	// Joined by the caller's Close, which the analyzer cannot see: silenced with a reason.
	//gofnlint:ignore handlergo w.pending is waited for by Close before the handler returns
	go func() { defer w.pending.Done() }()
	return events.SQSEventResponse{}, nil
}

func main() {
	// Started once per execution environment, outside any handler.
	go refresh()
	w := &Worker{pending: &sync.WaitGroup{}}
	lambda.Start(w.Handle)
}
