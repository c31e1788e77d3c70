// Package hello serves GET /hello/{id} behind an API Gateway HTTP API (payload format 2.0):
// it reads one item from the items table and returns it as JSON.
package hello

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// Item is the body of a 200 response.
type Item struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

// ErrNotFound is what an ItemGetter returns for an id that is not in the table.
var ErrNotFound = errors.New("item not found")

// ItemGetter reads one item. DynamoItems is the real one; tests use fakes.
type ItemGetter interface {
	GetItem(ctx context.Context, id string) (Item, error)
}

// DefaultTimeout bounds one GetItem, retries included. DynamoDB answers a GetItem in
// milliseconds; waiting longer only exhausts the function's concurrency (runbook step 3).
const DefaultTimeout = 2 * time.Second

// Handler answers the HTTP API.
type Handler struct {
	// Items returns the store; main passes a sync.OnceValues so the client is made once,
	// on first use, and a configuration error is reported by every invocation.
	Items func() (ItemGetter, error)
	// Timeout bounds each downstream call; zero means DefaultTimeout.
	Timeout time.Duration
}

// Handle serves one request. A bad id is a 400 and a missing item a 404; a DynamoDB failure
// is returned as an error, so Lambda counts it in Errors, X-Ray marks the trace as a fault,
// and API Gateway answers 500 without leaking the cause.
func (h *Handler) Handle(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	if m := req.RequestContext.HTTP.Method; m != "" && m != http.MethodGet {
		return respond(http.StatusMethodNotAllowed, message("method not allowed"))
	}
	id, err := ParseID(req.PathParameters["id"])
	if err != nil {
		slog.InfoContext(ctx, "bad request", "error", err.Error())
		return respond(http.StatusBadRequest, message(err.Error()))
	}

	items, err := h.Items()
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("hello: items store: %w", err)
	}
	callCtx, cancel := context.WithTimeout(ctx, h.timeout())
	defer cancel()
	item, err := items.GetItem(callCtx, id)
	switch {
	case errors.Is(err, ErrNotFound):
		slog.InfoContext(ctx, "item not found", "id", id)
		return respond(http.StatusNotFound, message("item not found"))
	case err != nil:
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("hello: get item %q: %w", id, err)
	}
	return respond(http.StatusOK, item)
}

func (h *Handler) timeout() time.Duration {
	if h.Timeout > 0 {
		return h.Timeout
	}
	return DefaultTimeout
}

type errorBody struct {
	Message string `json:"message"`
}

func message(s string) errorBody { return errorBody{Message: s} }

func respond(status int, body any) (events.APIGatewayV2HTTPResponse, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return events.APIGatewayV2HTTPResponse{}, fmt.Errorf("hello: encode response: %w", err)
	}
	return events.APIGatewayV2HTTPResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}, nil
}
