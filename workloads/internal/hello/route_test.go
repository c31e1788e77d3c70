package hello

import (
	"context"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/aws/aws-lambda-go/events"
)

// routeEvent is the event API Gateway sends for GET https://<api>/hello/42 through the route
// the infrastructure configures (infra/lib/workloads-stack.ts HELLO_ROUTE_KEY): an HTTP API
// payload format 2.0 event, shaped like the example in the API Gateway developer guide
// ("Working with AWS Lambda proxy integrations for HTTP APIs"). The infrastructure test
// (test/infra/app.test.ts) checks the synthesized route, payload version and URL against the
// same file, so the two cannot drift apart.
func routeEvent(t *testing.T) events.APIGatewayV2HTTPRequest {
	t.Helper()
	raw, err := os.ReadFile("testdata/get-hello-route.json")
	if err != nil {
		t.Fatal(err)
	}
	var ev events.APIGatewayV2HTTPRequest
	if err := json.Unmarshal(raw, &ev); err != nil {
		t.Fatal(err)
	}
	return ev
}

func TestHandleTheEventTheConfiguredRouteProduces(t *testing.T) {
	// Prepare
	items := &fakeItems{items: map[string]Item{"42": {ID: "42", Name: "Ada"}}}
	ev := routeEvent(t)

	// Act
	resp, err := handlerWith(items).Handle(context.Background(), ev)

	// Assess
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d, body %s; want 200", resp.StatusCode, resp.Body)
	}
	if got := decode[Item](t, resp.Body); got != (Item{ID: "42", Name: "Ada"}) {
		t.Fatalf("item %+v", got)
	}
	if len(items.asked) != 1 || items.asked[0] != "42" {
		t.Fatalf("asked DynamoDB for %v, want [42]", items.asked)
	}
}

// The $default catch-all route passes no path variables: every request would be a 400. This
// is why the infrastructure names the route.
func TestDefaultRouteGivesTheHandlerNoID(t *testing.T) {
	// Prepare
	ev := routeEvent(t)
	ev.RouteKey, ev.RequestContext.RouteKey, ev.PathParameters = "$default", "$default", nil
	items := &fakeItems{items: map[string]Item{"42": {ID: "42", Name: "Ada"}}}

	// Act
	resp, err := handlerWith(items).Handle(context.Background(), ev)

	// Assess
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusBadRequest || len(items.asked) != 0 {
		t.Fatalf("status %d after asking for %v; want 400 without a DynamoDB call", resp.StatusCode, items.asked)
	}
}
