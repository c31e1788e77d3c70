package bad

import (
	"context"
	"sync"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type Worker struct{}

func (w *Worker) audit(ev events.SQSEvent) {}

func (w *Worker) Handle(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	go w.audit(ev) // want `goroutine started in Lambda handler Handle is not waited for: Lambda freezes the execution environment`

	// A channel the handler never receives from does not wait for anything.
	done := make(chan struct{})
	go func() { // want `goroutine started in Lambda handler Handle is not waited for`
		defer close(done)
		w.audit(ev)
	}()

	// Waiting on a WaitGroup the goroutine does not use.
	var wg, other sync.WaitGroup
	wg.Add(1)
	go func() { // want `goroutine started in Lambda handler Handle is not waited for`
		defer wg.Done()
	}()
	other.Wait()
	return events.SQSEventResponse{}, nil
}

func flush(ctx context.Context) {}

func main() {
	lambda.Start(func(ctx context.Context, payload []byte) error {
		results := make(chan error, 1)
		<-results                      // a receive before the go statement waits for nothing it starts
		go func() { results <- nil }() // want `goroutine started in Lambda handler func literal is not waited for`
		go flush(ctx)                  // want `goroutine started in Lambda handler func literal is not waited for`
		return nil
	})
}
