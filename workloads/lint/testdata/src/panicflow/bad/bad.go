package bad

import (
	"context"
	"errors"
	"log"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

type Handler struct{ log *log.Logger }

func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if req.RawPath == "" {
		panic(errors.New("no path")) // want `panic in Lambda handler Handle: aws-lambda-go reports it as a Runtime error and then exits the process`
	}
	if req.Body == "" {
		log.Panicf("empty body for %s", req.RawPath) // want `log.Panicf in Lambda handler Handle`
	}
	if req.Headers == nil {
		h.log.Panic("no headers") // want `log.Panic in Lambda handler Handle`
	}
	return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
}

// process has no events type, but lambda.Start serves it, through a wrapper.
func process(ctx context.Context, payload []byte) error {
	if len(payload) == 0 {
		panic("empty payload") // want `panic in Lambda handler process`
	}
	return nil
}

func wrap(h func(context.Context, []byte) error) func(context.Context, []byte) error { return h }

func main() {
	lambda.Start(wrap(process))
	lambda.StartWithOptions(func(ctx context.Context) error {
		panic("not yet") // want `panic in Lambda handler func literal`
	})
}
