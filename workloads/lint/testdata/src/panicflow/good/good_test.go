package good

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
)

// Test files do not run on Lambda: nothing in them is reported.
func fakeHandler(ctx context.Context, req events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	panic("test double")
}
