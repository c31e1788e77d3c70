package bad

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"log/slog"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
)

func Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	slog.InfoContext(ctx, "request", "path", req.RawPath, "body", req.Body) // want `logs the whole APIGatewayV2HTTPRequest.Body: a payload can be megabytes`
	log.Printf("got %s", req.Body)                                          // want `logs the whole APIGatewayV2HTTPRequest.Body`
	slog.Info("request", slog.String("body", string(req.Body)))             // want `logs the whole APIGatewayV2HTTPRequest.Body`
	fmt.Println("event:", req)                                              // want `logs a whole events.APIGatewayV2HTTPRequest`
	fmt.Fprintf(os.Stderr, "event: %+v\n", &req)                            // want `logs a whole events.APIGatewayV2HTTPRequest`
	return events.APIGatewayV2HTTPResponse{StatusCode: 200}, nil
}

func HandleQueue(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	logger := slog.Default()
	for _, rec := range ev.Records {
		logger.Info("message " + rec.Body)    // want `logs the whole SQSMessage.Body`
		logger.Info("message", "record", rec) // want `logs a whole events.SQSMessage`
	}
	slog.Info("batch", slog.Any("event", ev)) // want `logs a whole events.SQSEvent`
	return events.SQSEventResponse{}, nil
}

func HandleTopic(ctx context.Context, ev events.SNSEvent) error {
	for _, rec := range ev.Records {
		slog.Info("notification", "message", rec.SNS.Message) // want `logs the whole SNSEntity.Message`
	}
	return nil
}

func raw(ctx context.Context, payload json.RawMessage) error {
	slog.Info("payload", "raw", string(payload)) // want `logs the raw event payload`
	return nil
}

func serve(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	log.Printf("%s %s", r.URL.Path, b) // want `logs the request body read by io.ReadAll`
}

func main() {
	lambda.Start(raw)
}
