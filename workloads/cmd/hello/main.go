// Command hello is the Lambda function behind GET /hello/{id}.
//
// Environment: ITEMS_TABLE (required), plus what the AWS SDK and telemetry read (AWS_REGION,
// AWS_ENDPOINT_URL, AWS_XRAY_DAEMON_ADDRESS, OTEL_EXPORTER_OTLP_ENDPOINT or
// OTEL_EXPORTER_OTLP_TRACES_ENDPOINT, OTEL_TRACES_SAMPLER(_ARG), LOG_LEVEL, AWS_LAMBDA_LOG_LEVEL), and
// GOFN_PROFILE_PARAMETER and GOFN_PROFILE_BUCKET when gofn may profile it (docs/profiling.md).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"

	"gofn/workloads/internal/dynamo"
	"gofn/workloads/internal/hello"
	"gofn/workloads/internal/profiling"
	"gofn/workloads/internal/telemetry"
)

func main() {
	telemetry.SetDefault(os.Stdout)
	tracing := telemetry.NewTracingFromEnv("hello")
	items := dynamo.Lazy(tracing, "ITEMS_TABLE", func(db *dynamodb.Client, table string) hello.ItemGetter {
		return hello.DynamoItems{Client: db, Table: table}
	})
	h := &hello.Handler{Items: items}
	lambda.Start(telemetry.Wrap(tracing, profiling.Wrap(profiling.FromEnv(), h.Handle)))
}
