package hello

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// fakeItems is an in-memory ItemGetter that records the ids it was asked for.
type fakeItems struct {
	items map[string]Item
	err   error
	asked []string
	// deadline is the deadline of the context the last call got.
	deadline time.Time
}

func (f *fakeItems) GetItem(ctx context.Context, id string) (Item, error) {
	f.asked = append(f.asked, id)
	f.deadline, _ = ctx.Deadline()
	if f.err != nil {
		return Item{}, f.err
	}
	item, ok := f.items[id]
	if !ok {
		return Item{}, ErrNotFound
	}
	return item, nil
}

func handlerWith(f *fakeItems) *Handler {
	return &Handler{Items: func() (ItemGetter, error) { return f, nil }}
}

func request(id string) events.APIGatewayV2HTTPRequest {
	req := events.APIGatewayV2HTTPRequest{
		RouteKey:       "GET /hello/{id}",
		RawPath:        "/hello/" + id,
		PathParameters: map[string]string{"id": id},
	}
	req.RequestContext.HTTP.Method = http.MethodGet
	return req
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("body %q is not JSON: %v", body, err)
	}
	return v
}

func TestHandleFound(t *testing.T) {
	f := &fakeItems{items: map[string]Item{"42": {ID: "42", Name: "Ada"}}}

	resp, err := handlerWith(f).Handle(context.Background(), request("42"))

	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status = %d, want 200 (body %s)", resp.StatusCode, resp.Body)
	}
	if got := resp.Headers["Content-Type"]; got != "application/json" {
		t.Errorf("Content-Type = %q", got)
	}
	if got := decode[Item](t, resp.Body); got != (Item{ID: "42", Name: "Ada"}) {
		t.Errorf("body = %+v", got)
	}
}

func TestHandleNotFound(t *testing.T) {
	f := &fakeItems{}

	resp, err := handlerWith(f).Handle(context.Background(), request("missing"))

	if err != nil {
		t.Fatalf("Handle: %v", err)
	}
	if resp.StatusCode != http.StatusNotFound {
		t.Fatalf("status = %d, want 404", resp.StatusCode)
	}
	if got := decode[errorBody](t, resp.Body).Message; got != "item not found" {
		t.Errorf("message = %q", got)
	}
}

func TestHandleDynamoDBErrorIsReturned(t *testing.T) {
	cause := errors.New("ProvisionedThroughputExceededException: slow down")
	f := &fakeItems{err: cause}

	_, err := handlerWith(f).Handle(context.Background(), request("42"))

	if !errors.Is(err, cause) {
		t.Fatalf("err = %v, want it to wrap the DynamoDB error", err)
	}
	if !strings.Contains(err.Error(), `"42"`) {
		t.Errorf("err = %q, want the id in it", err)
	}
}

func TestHandleStoreConfigErrorIsReturned(t *testing.T) {
	cause := errors.New("ITEMS_TABLE is not set")
	h := &Handler{Items: func() (ItemGetter, error) { return nil, cause }}

	_, err := h.Handle(context.Background(), request("42"))

	if !errors.Is(err, cause) {
		t.Fatalf("err = %v, want the configuration error", err)
	}
}

func TestHandleBadID(t *testing.T) {
	for name, id := range map[string]string{
		"empty":        "",
		"slash":        "a/b",
		"space":        "a b",
		"quote":        `a"b`,
		"unicode":      "café",
		"too long":     strings.Repeat("x", MaxIDLength+1),
		"control char": "a\nb",
	} {
		t.Run(name, func(t *testing.T) {
			f := &fakeItems{}

			resp, err := handlerWith(f).Handle(context.Background(), request(id))

			if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			if decode[errorBody](t, resp.Body).Message == "" {
				t.Error("want a message saying what is wrong")
			}
			if len(f.asked) != 0 {
				t.Errorf("DynamoDB was asked for %q; a bad id must not reach it", f.asked)
			}
		})
	}
}

func TestParseIDAcceptsTheFullAlphabetAndLength(t *testing.T) {
	for _, id := range []string{"a", "Z-9_x", strings.Repeat("x", MaxIDLength)} {
		if got, err := ParseID(id); err != nil || got != id {
			t.Errorf("ParseID(%q) = %q, %v", id, got, err)
		}
	}
}

func TestHandleMissingPathParameters(t *testing.T) {
	req := request("x")
	req.PathParameters = nil

	resp, err := handlerWith(&fakeItems{}).Handle(context.Background(), req)

	if err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("got %d, %v; want 400", resp.StatusCode, err)
	}
}

func TestHandleWrongMethod(t *testing.T) {
	req := request("42")
	req.RequestContext.HTTP.Method = http.MethodDelete

	resp, err := handlerWith(&fakeItems{}).Handle(context.Background(), req)

	if err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("got %d, %v; want 405", resp.StatusCode, err)
	}
}

func TestHandleBoundsTheDownstreamCall(t *testing.T) {
	f := &fakeItems{items: map[string]Item{"42": {ID: "42"}}}
	h := handlerWith(f)
	h.Timeout = 150 * time.Millisecond

	before := time.Now()
	if _, err := h.Handle(context.Background(), request("42")); err != nil {
		t.Fatal(err)
	}

	if f.deadline.IsZero() {
		t.Fatal("GetItem got a context without a deadline")
	}
	if d := f.deadline.Sub(before); d > time.Second {
		t.Errorf("GetItem deadline is %v away, want about %v", d, h.Timeout)
	}
}
