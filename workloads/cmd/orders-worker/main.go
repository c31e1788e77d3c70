// Command orders-worker is the Lambda function consuming the orders queue.
//
// Environment: ORDERS_TABLE (required), plus what the AWS SDK and telemetry read (AWS_REGION,
// AWS_ENDPOINT_URL, OTEL_EXPORTER_OTLP_ENDPOINT, AWS_LAMBDA_LOG_LEVEL).
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gofn/workloads/internal/orders"
	"gofn/workloads/internal/telemetry"
)

func main() {
	telemetry.SetDefault(os.Stdout)
	tracing := telemetry.NewTracingFromEnv("orders-worker")

	table := os.Getenv("ORDERS_TABLE")
	store := sync.OnceValues(func() (orders.Saver, error) {
		if table == "" {
			return nil, errors.New("ORDERS_TABLE is not set")
		}
		// Region, credentials and endpoint come from the environment: the execution role on
		// Lambda, AWS_ENDPOINT_URL and dummy keys against the emulator in tests.
		cfg, err := config.LoadDefaultConfig(context.Background())
		if err != nil {
			return nil, fmt.Errorf("load AWS config: %w", err)
		}
		db := dynamodb.NewFromConfig(cfg, func(o *dynamodb.Options) {
			o.TracerProvider = tracing.SDK()
			o.APIOptions = append(o.APIOptions, telemetry.DynamoDBTableName)
		})
		return orders.DynamoOrders{Client: db, Table: table}, nil
	})

	w := &orders.Worker{Orders: store}
	lambda.Start(telemetry.Wrap(tracing, w.Handle))
}
