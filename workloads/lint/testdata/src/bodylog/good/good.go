package good

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/aws/aws-lambda-go/events"
)

func redact(s string) string { return "…" }

func Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	slog.InfoContext(ctx, "request", "path", req.RawPath, "bytes", len(req.Body))
	slog.Info("excerpt", "body", redact(req.Body))
	resp := events.APIGatewayV2HTTPResponse{StatusCode: 200, Body: `{"ok":true}`}
	slog.Info("response", "status", resp.StatusCode, "body", resp.Body)
	_ = fmt.Sprintf("%s", req.Body) // built, not logged
	return resp, nil
}

func HandleQueue(ctx context.Context, ev events.SQSEvent) (events.SQSEventResponse, error) {
	for _, rec := range ev.Records {
		slog.Info("message", "id", rec.MessageId, "bytes", len(rec.Body))
	}
	slog.Info("batch", "records", len(ev.Records))
	return events.SQSEventResponse{}, nil
}

// echo writes the body to the HTTP response, not to the logs.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	fmt.Fprintf(w, "%s", b)
}
