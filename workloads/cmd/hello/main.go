// Command hello is the Lambda function behind GET /hello/{id}.
//
// Environment: ITEMS_TABLE (required), plus what the AWS SDK and telemetry read (AWS_REGION,
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

	"gofn/workloads/internal/hello"
	"gofn/workloads/internal/telemetry"
)

func main() {
	telemetry.SetDefault(os.Stdout)
	tracing := telemetry.NewTracingFromEnv("hello")

	table := os.Getenv("ITEMS_TABLE")
	items := sync.OnceValues(func() (hello.ItemGetter, error) {
		if table == "" {
			return nil, errors.New("ITEMS_TABLE is not set")
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
		return hello.DynamoItems{Client: db, Table: table}, nil
	})

	h := &hello.Handler{Items: items}
	lambda.Start(telemetry.Wrap(tracing, h.Handle))
}
